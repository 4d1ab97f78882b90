"""The training mandate (chapter 3.1): certificates, rosters, the Personalamt's persons, the
compliance table (Auswertungstabelle), certificate retention and the right of access.

What the feature adds to the portal is declared in `feature.py` (see portal/features.py)."""
