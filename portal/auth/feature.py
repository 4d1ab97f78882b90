"""The auth feature as the portal sees it (portal/features.py): what it adds where."""
from portal.auth.views import bp
from portal.features import Feature

feature = Feature("auth", blueprint=bp)
