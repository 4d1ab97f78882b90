"""The test directories themselves: a real slapd from tests/ldap/*.ldif."""

from __future__ import annotations

import ssl
import uuid
from pathlib import Path

import pytest
from ldap3 import BASE, Connection, Server, Tls
from ldap3.core.exceptions import LDAPStartTLSError
from ldap3.utils.conv import escape_filter_chars

from tests.support import directory_data as data
from tests.support.requirements import require_binary
from tests.support.slapd import SlapdServer, find_slapd

LDAP_DIR = Path(__file__).parent / "ldap"

# ldap3 2.9.1 checks the host name with the deprecated ssl.match_hostname()
pytestmark = pytest.mark.filterwarnings("ignore:ssl.match_hostname:DeprecationWarning")


@pytest.fixture(scope="module")
def directory(tmp_path_factory):
    require_binary("slapd", find_slapd())
    with SlapdServer(tmp_path_factory.mktemp("slapd"), [LDAP_DIR / "base.ldif"], tls=True) as server:
        yield server


@pytest.fixture(scope="module")
def ad_directory(tmp_path_factory):
    require_binary("slapd", find_slapd())
    with SlapdServer(
        tmp_path_factory.mktemp("slapd-ad"),
        [LDAP_DIR / "ad.ldif"],
        suffix=data.AD_BASE_DN,
        extra_schema=[LDAP_DIR / "ad.schema"],
    ) as server:
        yield server


def connect(server, user=None, password=None, *, ca_file=None):
    tls = Tls(validate=ssl.CERT_REQUIRED, ca_certs_file=str(ca_file)) if ca_file else None
    return Connection(
        Server(server.url, connect_timeout=5, tls=tls),
        user,
        password,
        receive_timeout=5,
        auto_referrals=False,
    )


def service(server):
    conn = connect(server, data.SERVICE_DN, data.SERVICE_PASSWORD)
    assert conn.bind(), conn.result
    return conn


def find_user(conn, uid, attributes):
    conn.search(data.PEOPLE_BASE, f"(uid={escape_filter_chars(uid)})", attributes=attributes)
    assert conn.result["result"] == 0, conn.result
    return conn.entries


def test_service_account_finds_user_and_entry_uuid(directory):
    conn = service(directory)
    entries = find_user(conn, "jmueller", ["cn", "mail", "departmentNumber", "employeeNumber", "entryUUID"])
    assert len(entries) == 1
    entry = entries[0]
    assert entry.entry_dn == "uid=jmueller,ou=people,dc=dresden,dc=test"
    assert entry.cn.value == "Jürgen Müller"
    assert entry.mail.value == "juergen.mueller@stadt.dresden.test"
    assert entry.departmentNumber.value == "Amt 50"
    assert entry.employeeNumber.value == "100001"
    assert uuid.UUID(str(entry.entryUUID.value)).version == 1  # slapadd generates time-based UUIDs
    conn.unbind()


def test_user_with_umlaut_uid_is_found_by_escaped_filter(directory):
    conn = service(directory)
    entries = find_user(conn, "jürgen.weiß", ["cn", "memberOf"])
    assert [e.entry_dn for e in entries] == ["uid=jürgen.weiß,ou=people,dc=dresden,dc=test"]
    assert entries[0].cn.value == "Jürgen Weiß"
    assert entries[0].memberOf.values == ["cn=portal-alle,ou=groups,dc=dresden,dc=test"]
    # escaped values are literal: no wildcard, no filter injection
    assert find_user(conn, "j*", ["uid"]) == []
    assert find_user(conn, "x)(uid=*", ["uid"]) == []
    conn.unbind()


def test_user_bind_with_umlaut_password(directory):
    conn = connect(directory, data.user_dn("jmueller"), "Passwort-Müller-1")
    assert conn.bind() is True
    assert conn.extend.standard.who_am_i() == "dn:uid=jmueller,ou=people,dc=dresden,dc=test"
    conn.unbind()


def test_wrong_password_is_rejected(directory):
    conn = connect(directory, data.user_dn("jmueller"), "Passwort-Muller-1")
    assert conn.bind() is False
    assert conn.result["result"] == 49
    assert conn.result["description"] == "invalidCredentials"


def test_anonymous_search_is_refused(directory):
    conn = connect(directory)
    assert conn.bind() is True  # anonymous bind itself is allowed ...
    conn.search(data.BASE_DN, "(uid=jmueller)", attributes=["cn"])
    assert conn.result["result"] == 32  # ... but it sees nothing, not even the suffix
    assert conn.entries == []
    conn.unbind()


def test_every_person_binds_and_matches_directory_data(directory):
    """tests/ldap/base.ldif and directory_data.py describe the same people."""
    conn = service(directory)
    conn.search(data.PEOPLE_BASE, "(objectClass=inetOrgPerson)",
                attributes=["uid", "cn", "mail", "departmentNumber", "employeeNumber", "memberOf"])
    found = {e.uid.value: e for e in conn.entries}
    assert sorted(found) == sorted(data.PEOPLE)
    for uid, person in data.PEOPLE.items():
        entry = found[uid]
        assert entry.cn.value == person.cn
        assert entry.mail.value == person.mail
        assert entry.departmentNumber.value == person.oe
        assert entry.employeeNumber.value == person.personnel_number
        assert sorted(entry.memberOf.values) == sorted(data.group_dn(g) for g in person.all_groups)
        user = connect(directory, data.user_dn(uid), data.PASSWORDS[uid])
        assert user.bind(), (uid, user.result)
        user.unbind()
    for cn, members in data.GROUPS.items():
        conn.search(data.group_dn(cn), "(objectClass=groupOfNames)", BASE, attributes=["member"])
        assert sorted(conn.entries[0].member.values) == sorted(data.user_dn(u) for u in members)
    conn.unbind()


def test_start_tls_with_trusted_ca(directory):
    conn = connect(directory, data.SERVICE_DN, data.SERVICE_PASSWORD, ca_file=directory.ca_file)
    conn.open()
    assert conn.start_tls() is True
    assert conn.bind() is True
    assert conn.socket.version().startswith("TLSv1.")
    conn.unbind()


def test_start_tls_with_wrong_ca_is_refused(directory):
    conn = connect(directory, data.SERVICE_DN, data.SERVICE_PASSWORD, ca_file=directory.wrong_ca_file)
    conn.open()
    with pytest.raises(LDAPStartTLSError, match="certificate verify failed"):
        conn.start_tls()
    assert conn.bound is False  # the password was never sent


def test_ad_variant_finds_user_by_sam_account_name(ad_directory):
    conn = connect(ad_directory, data.AD_SERVICE_DN, data.AD_SERVICE_PASSWORD)
    assert conn.bind(), conn.result
    conn.search(
        data.AD_USER_BASE,
        "(&(objectClass=adUser)(sAMAccountName=oev50))",
        attributes=["displayName", "mail", "department", "employeeID", "userPrincipalName", "objectGUID", "memberOf"],
    )
    assert len(conn.entries) == 1
    entry = conn.entries[0]
    # slapd hands the DN back with the comma as \2C, AD would write "\,": both are the
    # same DN, so code must not compare DNs as plain strings
    assert entry.entry_dn == "cn=Weiß\\2C Renée,ou=Benutzer,dc=ad,dc=dresden,dc=test"
    assert entry.displayName.value == "Renée Weiß"
    assert entry.mail.value == "renee.weiss@stadt.dresden.test"
    assert entry.department.value == "Amt 50"
    assert entry.employeeID.value == "100003"
    assert entry.userPrincipalName.value == "oev50@stadt.dresden.test"
    raw_guid = conn.response[0]["raw_attributes"]["objectGUID"][0]
    assert len(raw_guid) == 16
    assert uuid.UUID(bytes_le=raw_guid) == data.AD_OBJECT_GUIDS["oev50"]
    # memberOf comes from the dynlist overlay, in normalised (lower-case) form
    assert sorted(entry.memberOf.values) == [
        "cn=portal-alle,ou=gruppen,dc=ad,dc=dresden,dc=test",
        "cn=portal-oe-verantwortliche,ou=gruppen,dc=ad,dc=dresden,dc=test",
    ]
    user = connect(ad_directory, entry.entry_dn, data.PASSWORDS["oev50"])
    assert user.bind() is True
    user.unbind()
    conn.unbind()


def test_ad_variant_matches_directory_data(ad_directory):
    conn = connect(ad_directory, data.AD_SERVICE_DN, data.AD_SERVICE_PASSWORD)
    assert conn.bind(), conn.result
    conn.search(data.AD_USER_BASE, "(objectClass=adUser)",
                attributes=["sAMAccountName", "cn", "department", "employeeID", "objectGUID", "memberOf"])
    found = {e.sAMAccountName.value: (e, r) for e, r in zip(conn.entries, conn.response)}
    assert sorted(found) == sorted(data.PEOPLE)
    for uid, person in data.PEOPLE.items():
        entry, response = found[uid]
        assert entry.cn.value == data.ad_user_cn(uid)
        assert entry.department.value == person.oe
        assert entry.employeeID.value == person.personnel_number
        assert uuid.UUID(bytes_le=response["raw_attributes"]["objectGUID"][0]) == data.AD_OBJECT_GUIDS[uid]
        assert sorted(entry.memberOf.values) == sorted(data.ad_group_dn(g).lower() for g in person.all_groups)
        user = connect(ad_directory, data.ad_user_dn(uid), data.PASSWORDS[uid])
        assert user.bind(), (uid, user.result)
        user.unbind()
    conn.unbind()
