"""The site watchlist, as part of the workspace facade."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from sqlalchemy import delete, insert, select, update

from armswatch.errors import InputError, NotFoundError
from armswatch.progress import NO_PROGRESS, Progress, steps
from armswatch.provenance.clock import to_iso, utcnow
from armswatch.store import records
from armswatch.store import schema as t
from armswatch.store.facade import Facade

if TYPE_CHECKING:  # imported when sites are used (shapely, numpy, pyproj)
    from armswatch.sites.model import Site


class SiteStore(Facade):
    # ---------------------------------------------------------------- sites
    def get_site(self, site_id: str) -> Site:
        with self.engine.connect() as conn:
            row = conn.execute(select(t.site).where(t.site.c.id == site_id)).mappings().first()
        if row is None:
            raise NotFoundError(f"no site {site_id!r} (see 'armswatch sites list')")
        return records.site_from_row(row)

    def list_sites(self, kind: str | None = None) -> list[Site]:
        query = select(t.site).order_by(t.site.c.id)
        if kind:
            query = query.where(t.site.c.kind == kind)
        with self.engine.connect() as conn:
            rows = conn.execute(query).mappings().all()
        return [records.site_from_row(r) for r in rows]

    def save_sites(
        self, sites: Sequence[Site], *, replace: bool = True, progress: Progress = NO_PROGRESS
    ) -> dict[str, int]:
        """Add or update sites in one transaction; unchanged sites are left alone (idempotent import).

        With ``replace=False`` an existing id is an error instead of an update.
        """
        counts = {"added": 0, "updated": 0, "unchanged": 0}
        seen: set[str] = set()
        now = to_iso(utcnow())
        with self.transaction() as conn:
            for site in steps(progress, "saving sites", sites):
                if site.id in seen:
                    raise InputError(f"site id {site.id!r} appears twice in the input")
                seen.add(site.id)
                row = records.site_to_row(site)
                old = conn.execute(select(t.site).where(t.site.c.id == site.id)).mappings().first()
                if old is None:
                    conn.execute(insert(t.site).values(**row, created_at=now, updated_at=now))
                    self._audit(conn, "site.add", "site", site.id, row)
                    counts["added"] += 1
                elif records.site_to_row(records.site_from_row(old)) == row:
                    counts["unchanged"] += 1
                elif not replace:
                    raise InputError(f"site {site.id!r} already exists (use 'sites edit' to change it)")
                else:
                    conn.execute(update(t.site).where(t.site.c.id == site.id).values(**row, updated_at=now))
                    before = {k: old[k] for k in row}
                    self._audit(conn, "site.update", "site", site.id, {"before": before, "after": row})
                    counts["updated"] += 1
        return counts

    def remove_site(self, site_id: str) -> Site:
        site = self.get_site(site_id)
        with self.transaction() as conn:
            conn.execute(delete(t.site).where(t.site.c.id == site_id))
            self._audit(conn, "site.remove", "site", site_id, records.site_to_row(site))
        return site
