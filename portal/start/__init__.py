"""The start page: each feature's section (`Feature.start_section`) in order."""
from portal.features import Feature
from portal.start.views import bp

feature = Feature("start", blueprint=bp)
