"""Access policies enforced (sections 3 and 4 of issue 16): one policy, every flow, an audit log.

The policy itself — roles, grants, principals, and its decisions — is pure data in
``virtualfs.policy`` (read from ``access:`` in virtualfs.yaml). Here it is applied:

- ``gate.AccessGate``: a principal's reads and changes, allowed, masked or refused before any
  SQL runs, each decision logged (``FeatureStore.access``);
- ``masking``: what a masked PII feature becomes (a SHA-256 hex digest, or null), offline and online;
- ``audit.AuditLog``: the catalog's append-only audit log, frequent events counted in batches;
- ``grants``: the warehouse's own GRANT statements, masked views and masking policies
  (``virtualfs grants``), imported only when asked for (it builds SQL).

Hooks for saved datasets::

    store.access.authorize("datasets", name, action="dataset.save")   # or dataset.delete ...
    masked = store.access.read(registry, refs, "offline", "read.dataset")  # then compile.mask
    store.access.record("dataset.save", name, detail={"rows": n})
"""

from virtualfs.access.audit import AuditLog
from virtualfs.access.gate import AccessGate, Act, authorize
from virtualfs.access.masking import HASH, NULL, key_names, mask_method, mask_value

__all__ = ["HASH", "NULL", "AccessGate", "Act", "AuditLog", "authorize", "key_names", "mask_method",
           "mask_value"]
