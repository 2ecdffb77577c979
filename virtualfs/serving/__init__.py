"""Online serving: entity ids in, feature vectors out, with one round trip to the online store.

The read path — request plan (``request_plan``), keys, one store read, decode, response
(``read``, ``response``) — imports neither the compiler nor sqlglot. Read-through to the
warehouse for missing keys (``fallback``) is imported only when a repository enables it.

Example::

    get_online_features(store, registry, [{"customer_id": 1}], ["customer_orders:amount"])
"""

from virtualfs.online.base import Status
from virtualfs.serving.read import get_online_features
from virtualfs.serving.response import OnlineResponse

__all__ = ["OnlineResponse", "Status", "get_online_features"]
