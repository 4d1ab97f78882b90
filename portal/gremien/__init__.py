"""Gremien: the Koordinierungsgruppe and the Arbeitsgruppen — members, leads, meetings,
minutes, invitations and the yearly fact sheet of chapter 2.

What the feature adds to the portal is declared in `feature.py` (see portal/features.py)."""
