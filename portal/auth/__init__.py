"""Sign-in against the directory (LDAP / Active Directory), roles from directory groups, sessions.

What the feature adds to the portal is declared in `feature.py` (see portal/features.py)."""
