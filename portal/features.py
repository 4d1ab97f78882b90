"""Features register themselves.

A feature is a package (``portal/trainings``, ``portal/measures`` …) that declares one
:class:`Feature` named ``feature`` in its module ``feature.py`` (the package's ``__init__.py`` stays
empty, so importing one module of a feature does not load the whole feature). The object names everything the
rest of the portal needs to know about it: its blueprint, its entries in the main navigation,
its section of the start page, its ``portal`` commands, what ``portal setup`` and
``portal demo load`` load, its kinds in the review queue, its section of the OE dossier and its
export jobs. ``create_app`` lists the features once (``portal.FEATURES``) and calls
:func:`install`; nothing else names a feature.

This is deliberately not a plugin system: no entry points, no discovery, no hooks beyond the
fields below. Adding a feature means one package and one line in ``portal.FEATURES``
(docs/architecture.md, "Ein Feature hinzufügen").
"""
from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import click
from flask import Blueprint, Flask
from sqlalchemy.orm import Session

# Groups of the main navigation in this order; "" = the person's own pages, shown first
# without a group name. Whoever sees only one group gets a flat list.
NAV_GROUPS = ["", "Prüfen", "Auswertungen", "Stammdaten", "Verwaltung"]

# the `portal` command groups features may add sub-commands to (defined in portal/commands.py)
SHARED_GROUPS = ("report", "notifications")


@dataclass(frozen=True)
class Nav:
    """An entry of the main navigation; ``roles`` empty = everyone signed in.
    ``order`` places it within its group (smaller first)."""

    endpoint: str
    label: str
    roles: tuple[str, ...] = ()
    group: str = ""
    order: int = 50


@dataclass(frozen=True)
class Feature:
    name: str
    blueprint: Blueprint | None = None
    navigation: Sequence[Nav] = ()
    # template included on the start page (it checks its own role), with its place (smaller first)
    start_section: tuple[int, str] | None = None
    # builder(db, user, info): fills the feature's fields of portal.review.start.StartInfo
    start_info: Callable[..., None] | None = None
    commands: Sequence[click.Command] = ()  # `portal <command>`
    # (shared group, command): `portal report compliance`, `portal notifications reminders`
    subcommands: Sequence[tuple[str, click.Command]] = ()
    reference: Callable[[Session], str] | None = None  # `portal setup`: shipped reference data
    demo: Callable[[Session], str] | None = None  # `portal demo load`: demo records (idempotent)
    review_kinds: Sequence[Any] = ()  # portal.review.providers.Provider
    # (key, builder(db, context, unit) -> DossierPart | None): a section of the OE dossier
    dossier_sections: Sequence[tuple[str, Callable[..., Any]]] = ()
    # (kind, builder(db, params, progress) -> (bytes, file name)): long exports run as jobs
    export_jobs: Sequence[tuple[str, Callable[..., Any]]] = ()
    # (kind, portal.exports.citywide.JobPage): a job any permitted person starts from a page, with its
    # progress page at /exporte/<id> (title, formats, what its download records in the audit log)
    job_pages: Sequence[tuple[str, Any]] = ()
    setup: Callable[[Flask], None] | None = None  # anything else the feature sets up on the app


def load(names: Iterable[str]) -> list[Feature]:
    """The ``feature`` object of each named package (in its module ``feature.py``), in the given order."""
    features = []
    for name in names:
        feature = getattr(importlib.import_module(f"{name}.feature"), "feature", None)
        if not isinstance(feature, Feature):
            raise TypeError(f"{name}.feature hat kein Objekt „feature“ (portal.features.Feature)")
        features.append(feature)
    return features


def install(app: Flask, features: Sequence[Feature]) -> None:
    """Register each feature's blueprint, navigation and start section on the app. The parts other
    features consume (review kinds, dossier sections, start information, export jobs, commands) are
    collected by their consumer from ``app.extensions["portal.features"]`` (see ``of_all``)."""
    app.extensions["portal.features"] = list(features)
    navigation: list[Nav] = []
    sections: list[tuple[int, str]] = []
    for feature in features:
        if feature.blueprint is not None:
            app.register_blueprint(feature.blueprint)
        navigation += feature.navigation
        if feature.start_section:
            sections.append(feature.start_section)
    navigation.sort(key=lambda n: (NAV_GROUPS.index(n.group), n.order))
    app.config["NAVIGATION"] = [(n.endpoint, n.label, n.roles, n.group) for n in navigation]
    app.config["START_SECTIONS"] = [template for _order, template in sorted(sections)]
    for feature in features:
        if feature.setup is not None:
            feature.setup(app)


def of_all(app: Flask, part: str) -> list[Any]:
    """One part of every installed feature, in feature order: a field that holds one value gives the
    values that are set, a field that holds a sequence gives its items."""
    values: list[Any] = []
    for feature in app.extensions["portal.features"]:
        value = getattr(feature, part)
        if isinstance(value, (list, tuple)):
            values.extend(value)
        elif value is not None:
            values.append(value)
    return values
