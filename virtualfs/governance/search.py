"""Find definitions by a few words: names, descriptions, owners, tags; a typo still finds them.

Every entity, source, view, feature and service is a document of weighted fields: its name
(its words: ``customer_orders`` is *customer* and *orders*), its description, tags, owner and,
for a source, what it says of its columns; a feature also carries, more faintly, its view's name
and description (and takes the view's owner and tags unless it has its own). Each
word asked for scores its best match in a document — the same word 1, a prefix of one 0.85, the
word less its last letter 0.8 (*orders* finds *order*), a word one or two edits away (letters
inserted, dropped, changed or swapped; two only in words of eight letters or more) 0.75 or 0.6
— times its field's weight; the document's score is the mean over the words asked for, plus a
bonus when the whole text is its name. Only the documents that match the most of the words
asked for are kept (all of them, when any document matches all), and of those the ones scoring
at least a quarter of the best. Pure; no index is kept (a catalog of thousands of definitions
scores in milliseconds).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache

from virtualfs.errors import RequestError
from virtualfs.governance.classify import Classification
from virtualfs.governance.model import SearchHit
from virtualfs.registry import Registry

KINDS = ("view", "on demand view", "feature", "service", "source", "entity")
NAME, DESCRIPTION, TAGS, OWNER, CONTEXT = 3.0, 1.5, 1.2, 1.0, 0.5
EXACT_NAME_BONUS = 3.0
KEEP_FRACTION = 0.25
_WORD = re.compile(r"[0-9a-z]+")


@dataclass(frozen=True)
class Document:
    """One definition as search sees it: ``fields`` are (weight, words) pairs."""

    kind: str
    name: str
    description: str
    owner: str
    tags: Mapping[str, str]
    pii: bool
    fields: tuple[tuple[float, frozenset[str]], ...] = field(repr=False)


@dataclass(frozen=True)
class Query:
    """What is asked: ``text``, and filters on owner, tags (a value of None: any) and kind."""

    text: str = ""
    owner: str | None = None
    tags: Mapping[str, str | None] | None = None
    kind: str | None = None

    def __post_init__(self) -> None:
        if self.kind is not None and self.kind not in KINDS:
            raise RequestError(f"kind {self.kind!r} is not one of {', '.join(KINDS)}")


def search(documents: Iterable[Document], query: Query) -> list[SearchHit]:
    """The documents that match ``query``, best first.

    >>> docs = [document("feature", "orders:amount", "Money paid, in euros.", "", {}, [])]
    >>> [(hit.name, round(hit.score, 2)) for hit in search(docs, Query("mony"))]
    [('orders:amount', 1.12)]
    """
    kept = [doc for doc in documents if _passes(doc, query)]
    words = words_of(query.text)
    if not words:
        ranked = [(1.0, doc) for doc in kept]
    else:
        whole = " ".join(query.text.lower().split())
        scored = [(*_score(doc, words, whole), doc) for doc in kept]
        most = max((matched for _, matched, _ in scored), default=0)
        ranked = [(score, doc) for score, matched, doc in scored if matched == most and score > 0]
    best = max((score for score, _ in ranked), default=0.0)
    ranked = [(score, doc) for score, doc in ranked if score >= KEEP_FRACTION * best]
    ranked.sort(key=lambda pair: (-pair[0], KINDS.index(pair[1].kind), pair[1].name))
    return [SearchHit(doc.kind, doc.name, score, doc.description, doc.owner, doc.tags, doc.pii)
            for score, doc in ranked]


def documents(registry: Registry, classification: Classification) -> list[Document]:
    """Every definition of ``registry`` as a search document."""
    docs = [document("entity", e.name, e.description, e.owner, e.tags, e.join_keys)
            for e in registry.entities.values()]
    for source in registry.sources.values():
        said = [f"{key} {column.description}" for key, column in source.columns.items()]
        docs.append(document("source", source.name, source.description, source.owner, source.tags, said,
                             pii=any(column.pii for column in source.columns.values())))
    for view in registry.views.values():
        pii = classification.view_pii(view.name)
        docs.append(document("view", view.name, view.description, view.owner, view.tags,
                             [view.source.name], pii=bool(pii)))
        for member in (*view.features, *view.aggregations):
            ref = f"{view.name}:{member.name}"
            docs.append(document("feature", ref, member.description, member.owner or view.owner,
                                 {**view.tags, **member.tags}, [], context=[view.name, view.description],
                                 pii=ref in pii, called=member.name))
    for on_demand in registry.on_demand.values():
        inputs = [str(item) if isinstance(item, str) else item.name for item in on_demand.inputs]
        # computed from personal data, it is personal data
        pii = any(str(ref) in classification.view_pii(ref.view) for ref in on_demand.feature_inputs)
        docs.append(document("on demand view", on_demand.name, on_demand.description, on_demand.owner,
                             on_demand.tags, inputs, pii=pii))
        for feature in on_demand.features:
            docs.append(document("feature", f"{on_demand.name}:{feature.name}", feature.description,
                                 feature.owner or on_demand.owner, {**on_demand.tags, **feature.tags}, [],
                                 context=[on_demand.name, on_demand.description], pii=pii,
                                 called=feature.name))
    for service in registry.services.values():
        docs.append(document("service", service.name, service.description, service.owner, service.tags,
                             [], pii=bool(classification.service_pii(service.name))))
    return docs


def document(kind: str, name: str, description: str, owner: str, tags: Mapping[str, str],
             extra: Iterable[str], context: Iterable[str] = (), pii: bool = False,
             called: str | None = None) -> Document:
    """A document; ``extra`` is more text worth a description's weight, ``context`` a faint one,
    ``called`` the words of its own name when ``name`` says more (a feature's view)."""
    fields = ((NAME, words_of(called or name)), (DESCRIPTION, words_of(" ".join([description, *extra]))),
              (TAGS, words_of(" ".join(f"{k} {v}" for k, v in tags.items()))), (OWNER, words_of(owner)),
              (CONTEXT, words_of(" ".join(context))))
    return Document(kind, name, description, owner, dict(tags), pii,
                    tuple((weight, words) for weight, words in fields if words))


def words_of(text: str) -> frozenset[str]:
    """Lower-case words: runs of letters and digits (``_``, ``:`` and ``@`` separate words).

    >>> sorted(words_of("customer_orders:amount by growth@shop.example"))
    ['amount', 'by', 'customer', 'example', 'growth', 'orders', 'shop']
    """
    return frozenset(_WORD.findall(text.lower()))


@lru_cache(maxsize=1 << 16)  # a catalog repeats its words: each pair is worked out once
def match(asked: str, word: str) -> float:
    """How well ``word`` of a document answers ``asked`` (0: not at all).

    >>> match("amount", "amount"), match("amou", "amount"), match("amont", "amount")
    (1.0, 0.85, 0.75)
    >>> match("dicsount", "discount"), match("at", "amount"), match("order", "vendor")
    (0.75, 0, 0)
    >>> match("orders", "order"), match("country", "count")
    (0.8, 0)
    """
    if asked == word:
        return 1.0
    if len(asked) >= 3 and word.startswith(asked):
        return 0.85
    if len(word) >= 4 and len(asked) - len(word) == 1 and asked.startswith(word):  # orders: order
        return 0.8
    allowed = 2 if len(asked) >= 8 else 1 if len(asked) >= 4 else 0
    if not allowed or abs(len(asked) - len(word)) > allowed:
        return 0
    distance = edit_distance(asked, word, allowed)
    return 0 if distance > allowed else 0.75 - 0.15 * (distance - 1)


def edit_distance(a: str, b: str, limit: int) -> int:
    """Letters inserted, deleted, substituted or swapped with a neighbour (optimal string
    alignment), counted up to ``limit + 1``.

    >>> edit_distance("recieve", "receive", 2), edit_distance("kitten", "sitting", 5)
    (1, 3)
    """
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, char in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, other in enumerate(b, 1):
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (char != other))
            if i > 1 and j > 1 and char == b[j - 2] and a[i - 2] == other:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit and min(previous) > limit:  # a swap may skip one row, not two
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]


def _score(doc: Document, words: frozenset[str], whole: str) -> tuple[float, int]:
    """The document's score, and how many of the words asked for it matches."""
    scores = [max((weight * _best(asked, found) for weight, found in doc.fields), default=0.0)
              for asked in words]
    matched = sum(1 for score in scores if score)
    bonus = EXACT_NAME_BONUS if whole in (doc.name.lower(), doc.name.lower().rpartition(":")[2]) else 0.0
    return (sum(scores) / len(words) + bonus if matched else 0.0), matched


def _best(asked: str, found: frozenset[str]) -> float:
    if asked in found:
        return 1.0
    return max((match(asked, word) for word in found), default=0.0)


def _passes(doc: Document, query: Query) -> bool:
    if query.kind is not None and doc.kind != query.kind:
        return False
    if query.owner is not None and not _owned_by(doc.owner, query.owner):
        return False
    return all(key in doc.tags and (value is None or doc.tags[key] == value)
               for key, value in (query.tags or {}).items())


def _owned_by(owner: str, asked: str) -> bool:
    """``growth`` asks for ``growth@shop.example`` too."""
    owner, asked = owner.lower(), asked.lower()
    return owner == asked or owner.partition("@")[0] == asked
