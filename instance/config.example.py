# Copy to instance/config.py and adjust. Every setting can also come from the
# environment as PORTAL_<NAME> (see docs/configuration.md).

# SECRET_KEY = "…64 random hex characters…"   # python -c "import secrets; print(secrets.token_hex(32))"
# DATABASE_URL = "postgresql+psycopg://portal:geheim@db.intern:5432/portal"
# UPLOAD_DIR = "/srv/portal/uploads"

# LDAP_URL = "ldaps://dc01.stadt.dresden.de"
# LDAP_CA_FILE = "/etc/ssl/certs/stadt-ca.pem"
# LDAP_BIND_DN = "CN=svc-portal,OU=Dienstkonten,DC=stadt,DC=dresden,DC=de"
# LDAP_BIND_PASSWORD = "…"
# LDAP_USER_BASE = "OU=Benutzer,DC=stadt,DC=dresden,DC=de"
# LDAP_USER_FILTER = "(&(objectClass=user)(sAMAccountName={username}))"
# LDAP_GROUP_BASE = "OU=Gruppen,DC=stadt,DC=dresden,DC=de"
# LDAP_ATTR_USERNAME = "sAMAccountName"
# LDAP_ATTR_NAME = "displayName"
# LDAP_ATTR_OE = "department"
# LDAP_ATTR_PERSONNEL_NUMBER = "employeeID"
# LDAP_ATTR_ID = "objectGUID"
# ROLE_MAP = {
#     "CN=Portal-Fortbildung,OU=Gruppen,DC=stadt,DC=dresden,DC=de": "fortbildungsbeauftragte",
#     "Portal-OE-Verantwortliche": "oe_verantwortliche",
#     "Portal-AG1": "ag_leitung:AG1",
#     "Portal-Integrationsbuero": "integrationsbuero",
#     "Portal-Personalamt": "personalamt",
#     "Portal-Admin": "admin",
# }
# PROXY_FIX_HOPS = 1

# BASE_URL = "https://aktionsplan.intranet.dresden.de"   # links in e-mails
# LOG_FORMAT = "json"                                     # one JSON object per log line
# METRICS_ALLOWED_IPS = ["127.0.0.1", "::1", "10.20.30.0/24"]   # who may read /metrics
# CERTIFICATE_RETENTION_DAYS = 365
