"""Sign-in against the directory (LDAP / Active Directory), roles from directory groups, sessions."""
from portal.auth.views import bp
from portal.features import Feature

feature = Feature("auth", blueprint=bp)
