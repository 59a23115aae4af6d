"""Indexed candidate search: never score every pair.

An inverted index maps keys to the entities whose names produce them:

* ``t:`` normalised name tokens (and the initials of multi-word organisation names),
* ``s:`` spelling-invariant transliteration keys (:func:`~armswatch.matching.cyrillic.slavic_key`),
* ``k:`` Korean romanisation-invariant name keys (:func:`~armswatch.matching.korean.korean_key`),
* ``g:`` character trigrams of tokens of four letters or more (typos, joined or split words),
* ``imo:``, ``mmsi:``, ``reg:`` identifiers.

A query collects the postings of its keys, each weighted by key type × inverse document frequency
(very common trigrams are skipped), sums the weights per entity with numpy, and only the top
``limit`` entities are scored in full (:func:`~armswatch.matching.score.score_pair`). Postings are
stored as compressed sparse rows (two numpy arrays), so a million entities need ~200 MB.

:meth:`CandidateIndex.arrays` and :meth:`CandidateIndex.from_arrays` turn an index into plain numpy
arrays and key strings and back (no pickle), so a list's index can be cached on disk
(:mod:`armswatch.entities.list_cache`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from armswatch.matching.name import NameForm, NameKind
from armswatch.matching.score import DEFAULT_THRESHOLD, MatchScore, schemata_compatible, score_pair
from armswatch.matching.subject import Subject

KEY_WEIGHTS = {"t": 1.0, "s": 0.8, "k": 3.0, "g": 0.25, "imo": 10.0, "mmsi": 6.0, "reg": 6.0}
MAX_GRAM_SHARE = 0.01
MAX_TOKEN_SHARE = 0.05
ALWAYS_USE_RAREST = 4
DEFAULT_LIMIT = 25
MIN_RELATIVE_WEIGHT = 0.3


def name_keys(form: NameForm) -> set[str]:
    """Index keys of one analysed name."""
    keys: set[str] = set()
    for token, skey in zip(form.tokens, form.keys, strict=True):
        if len(token) >= 2 or token.isdigit():
            keys.add("t:" + token)
            keys.add("s:" + skey)
        if len(token) >= 4:
            keys.update("g:" + token[i : i + 3] for i in range(len(token) - 2))
    joined = form.joined
    if len(form.tokens) > 1 and len(joined) >= 4:
        keys.update("g:" + joined[i : i + 3] for i in range(len(joined) - 2))
    if form.kind is NameKind.ORG and len(form.tokens) >= 2:
        keys.add("t:" + "".join(t[0] for t in form.tokens))
    if form.korean is not None:
        keys.add("k:" + str(form.korean))
    return keys


def subject_keys(subject: Subject, kind: NameKind | None = None) -> set[str]:
    """Index keys of all names and identifiers of a subject."""
    keys: set[str] = set()
    for form in subject.forms(kind):
        keys |= name_keys(form)
    keys.update("imo:" + i for i in subject.imo)
    keys.update("mmsi:" + m for m in subject.mmsi)
    keys.update("reg:" + r.replace(" ", "").upper() for r in subject.registration)
    return keys


@dataclass(frozen=True)
class ScreenHit:
    """One candidate that was scored for a query."""

    subject: Subject
    result: MatchScore


class CandidateIndex:
    """Inverted index over a list of subjects (see module docstring)."""

    def __init__(self, subjects: Sequence[Subject]) -> None:
        import pyarrow as pa

        self.subjects = list(subjects)
        all_keys: list[str] = []
        counts_per_doc = np.zeros(len(self.subjects), dtype=np.int64)
        for doc, subject in enumerate(self.subjects):
            keys = subject_keys(subject)
            counts_per_doc[doc] = len(keys)
            all_keys.extend(keys)
        # Dictionary-encode the key strings in C (pyarrow), not in a Python loop.
        encoded = pa.array(all_keys, type=pa.string()).dictionary_encode()
        del all_keys
        key_codes = encoded.indices.to_numpy(zero_copy_only=False).astype(np.int32)
        key_names = encoded.dictionary.to_pylist()
        docs = np.repeat(np.arange(len(self.subjects), dtype=np.int32), counts_per_doc)
        order = np.argsort(key_codes, kind="stable")
        counts = np.bincount(key_codes, minlength=len(key_names))
        self._set_postings(key_names, docs[order], counts)

    def _set_postings(
        self, key_names: Sequence[str], postings: npt.NDArray[np.int32], counts: npt.NDArray[np.int64]
    ) -> None:
        self._key_names = list(key_names)
        self._postings: npt.NDArray[np.int32] = postings
        self._offsets: npt.NDArray[np.int64] = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
        self._key_ids: dict[str, int] = {k: i for i, k in enumerate(key_names)}
        n = max(1, len(self.subjects))
        type_weight = np.array([KEY_WEIGHTS[k.split(":", 1)[0]] for k in key_names], dtype=np.float64)
        self._weights = type_weight * np.log1p(n / np.maximum(1, counts))
        self._df = counts
        self._n = n
        schemata = sorted({s.schema for s in self.subjects})
        code_of = {name: i for i, name in enumerate(schemata)}
        self._schemata = schemata
        self._schema_codes = np.array([code_of[s.schema] for s in self.subjects], dtype=np.int16)
        self._compatible: dict[str, npt.NDArray[np.bool_]] = {}

    def arrays(self) -> tuple[list[str], dict[str, npt.NDArray[np.int64] | npt.NDArray[np.int32]]]:
        """The index as key strings plus plain integer arrays (``postings``, ``df``): safe to store."""
        return list(self._key_names), {"postings": self._postings, "df": self._df}

    @classmethod
    def from_arrays(
        cls,
        subjects: Sequence[Subject],
        key_names: Sequence[str],
        arrays: Mapping[str, npt.NDArray[np.int64] | npt.NDArray[np.int32]],
    ) -> CandidateIndex:
        """Rebuild an index from :meth:`arrays` output for the same ``subjects``; raises ValueError
        when the arrays do not fit the subjects and keys (a damaged or foreign cache)."""
        if any(np.asarray(arrays[k]).dtype.kind not in "iu" for k in ("postings", "df")):
            raise ValueError("index arrays must be integers")
        postings = np.asarray(arrays["postings"], dtype=np.int64)
        df = np.asarray(arrays["df"], dtype=np.int64)
        if df.shape != (len(key_names),) or int(df.sum()) != len(postings) or (df < 0).any():
            raise ValueError("index arrays do not match the keys")
        if len(postings) and (int(postings.min()) < 0 or int(postings.max()) >= len(subjects)):
            raise ValueError("index postings point outside the subjects")
        if any(k.split(":", 1)[0] not in KEY_WEIGHTS for k in key_names):
            raise ValueError("unknown index key type")
        index = cls.__new__(cls)
        index.subjects = list(subjects)
        index._set_postings(key_names, postings.astype(np.int32), df.astype(np.int64))
        return index

    def _schema_mask(self, schema: str) -> npt.NDArray[np.bool_]:
        """Per schema code: may a query of ``schema`` match it (a Person query never a Vessel)?"""
        mask = self._compatible.get(schema)
        if mask is None:
            mask = np.array([schemata_compatible(schema, other) for other in self._schemata], dtype=np.bool_)
            self._compatible[schema] = mask
        return mask

    def __len__(self) -> int:
        return len(self.subjects)

    def _query_keys(self, query: Subject) -> list[int]:
        """Key ids of a query: the rarest few always, common ones only below the share limits."""
        found = sorted(
            (int(self._df[kid]), key, kid)
            for key in subject_keys(query)
            if (kid := self._key_ids.get(key)) is not None
        )
        out: list[int] = []
        for rank, (df, key, kid) in enumerate(found):
            limit = MAX_GRAM_SHARE if key.startswith("g:") else MAX_TOKEN_SHARE
            if rank < ALWAYS_USE_RAREST or self._n < 2000 or df <= limit * self._n:
                out.append(kid)
        return out

    def candidates(self, query: Subject, limit: int = DEFAULT_LIMIT) -> list[int]:
        """Indices of the ``limit`` subjects that share the most (weighted) keys with ``query``,
        dropping those whose key weight is below :data:`MIN_RELATIVE_WEIGHT` of the best one."""
        kids = self._query_keys(query)
        if not kids:
            return []
        parts = [self._postings[self._offsets[k] : self._offsets[k + 1]] for k in kids]
        weights = np.repeat(self._weights[kids], [len(p) for p in parts])
        docs = np.concatenate(parts)
        if len(docs) == 0:
            return []
        uniq, inverse = np.unique(docs, return_inverse=True)
        sums = np.bincount(inverse, weights=weights)
        keep = self._schema_mask(query.schema)[self._schema_codes[uniq]]
        uniq, sums = uniq[keep], sums[keep]
        if len(uniq) == 0:
            return []
        top = np.argpartition(-sums, limit)[:limit] if len(uniq) > limit else np.arange(len(uniq))
        top = top[np.argsort(-sums[top], kind="stable")]
        top = top[sums[top] >= MIN_RELATIVE_WEIGHT * sums[top[0]]]
        return [int(i) for i in uniq[top]]

    def screen(
        self, query: Subject, threshold: float = DEFAULT_THRESHOLD, limit: int = DEFAULT_LIMIT
    ) -> list[ScreenHit]:
        """Score the top candidates for ``query``; return those at or above ``threshold``, best first."""
        hits: list[ScreenHit] = []
        for idx in self.candidates(query, limit):
            subject = self.subjects[idx]
            result = score_pair(query, subject, threshold)
            if result.score >= threshold:
                hits.append(ScreenHit(subject, result))
        hits.sort(key=lambda h: (-h.result.score, h.subject.id))
        return hits

    def screen_many(
        self, queries: Iterable[Subject], threshold: float = DEFAULT_THRESHOLD, limit: int = DEFAULT_LIMIT
    ) -> list[tuple[Subject, list[ScreenHit]]]:
        """Screen several queries."""
        return [(q, self.screen(q, threshold, limit)) for q in queries]
