"""A meeting invitation as an iCalendar file (RFC 5545): CRLF line ends, TEXT values
escaped, lines folded at 75 octets. Times are local Dresden time (TZID Europe/Berlin
with its VTIMEZONE), a meeting without a time is an all-day event."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from portal.models.gremien import MEETING_KINDS, GremiumMeeting

TZID = "Europe/Berlin"
VTIMEZONE = [
    "BEGIN:VTIMEZONE", f"TZID:{TZID}",
    "BEGIN:DAYLIGHT", "TZOFFSETFROM:+0100", "TZOFFSETTO:+0200", "TZNAME:CEST",
    "DTSTART:19700329T020000", "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU", "END:DAYLIGHT",
    "BEGIN:STANDARD", "TZOFFSETFROM:+0200", "TZOFFSETTO:+0100", "TZNAME:CET",
    "DTSTART:19701025T030000", "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU", "END:STANDARD",
    "END:VTIMEZONE",
]


def escape_text(value: str) -> str:
    return (value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n"))


def fold(line: str) -> str:
    """Split a content line into pieces of at most 75 octets, never inside a UTF-8 character."""
    out: list[str] = []
    current, size, limit = "", 0, 75
    for ch in line:
        width = len(ch.encode("utf-8"))
        if size + width > limit:
            out.append(current)
            current, size, limit = " ", 1, 75
        current += ch
        size += width
    out.append(current)
    return "\r\n".join(out)


def invitation(meeting: GremiumMeeting, host: str, stamp: datetime | None = None) -> bytes:
    group = meeting.working_group
    kind = MEETING_KINDS.get(meeting.kind, "Sitzung")
    summary = f"{group.name}: {kind}"
    topics = [t.text for t in meeting.topics]
    description = "Themen:\n" + "\n".join(f"- {t}" for t in topics) if topics else ""
    stamp = (stamp or datetime.now(UTC)).astimezone(UTC)
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Landeshauptstadt Dresden//Aktionsplan Integration//DE",
             "CALSCALE:GREGORIAN", "METHOD:PUBLISH"]
    if meeting.starts_at:
        lines += VTIMEZONE
    lines += ["BEGIN:VEVENT", f"UID:gremium-sitzung-{meeting.id}@{host}",
              f"DTSTAMP:{stamp.strftime('%Y%m%dT%H%M%SZ')}"]
    if meeting.starts_at:
        start = datetime.combine(meeting.held_on, meeting.starts_at)
        end = datetime.combine(meeting.held_on, meeting.ends_at) if meeting.ends_at else start + timedelta(hours=2)
        if end <= start:
            end = start + timedelta(hours=2)
        lines += [f"DTSTART;TZID={TZID}:{start.strftime('%Y%m%dT%H%M%S')}",
                  f"DTEND;TZID={TZID}:{end.strftime('%Y%m%dT%H%M%S')}"]
    else:
        lines += [f"DTSTART;VALUE=DATE:{meeting.held_on.strftime('%Y%m%d')}",
                  f"DTEND;VALUE=DATE:{(meeting.held_on + timedelta(days=1)).strftime('%Y%m%d')}"]
    lines.append(f"SUMMARY:{escape_text(summary)}")
    if meeting.location:
        lines.append(f"LOCATION:{escape_text(meeting.location)}")
    if description:
        lines.append(f"DESCRIPTION:{escape_text(description)}")
    lines += ["END:VEVENT", "END:VCALENDAR"]
    return ("\r\n".join(fold(line) for line in lines) + "\r\n").encode("utf-8")
