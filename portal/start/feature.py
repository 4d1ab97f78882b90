"""The start feature as the portal sees it (portal/features.py): what it adds where."""
from portal.features import Feature
from portal.start.views import bp

feature = Feature("start", blueprint=bp)
