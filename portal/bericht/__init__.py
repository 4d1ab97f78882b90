"""The report to the city council (Zwischenbericht, Abschlussbericht 2026): versioned text
sections kept in the portal, the generated chapters and annexes, DOCX and PDF as a job.

What the feature adds to the portal is declared in `feature.py` (see portal/features.py)."""
