"""Feature views: typed columns of a source, served per entity key as of a point in time.

A feature's name is the source column it reads. A view answers with the latest row known at
the time asked about; `ttl` says how old that row may be before the answer is "no value".
Aggregations summarise a window of rows instead (`count` of orders in the last 7 days); a view
with `materialize="incremental"` is also kept as a table that `virtualfs refresh` brings up to
date, which training frames read instead of the source where it gives the same answer.
Its checks judge the rows each refresh stages before it publishes them: an error check that
fails leaves the table and the online store as they were.

A feature read from a column its source marks PII is PII (`virtualfs describe`, `search`, the
server's catalog say so); `pii=False` declares a reviewed exception.
"""

from entities import customer, product
from sources import (
    customer_markets,
    customer_product_orders,
    customers,
    daily_stats,
    orders,
    page_views,
    products,
)

from virtualfs import Aggregation, Check, Feature, FeatureView

customer_orders = FeatureView(
    "customer_orders",
    entities=[customer],
    source=orders,
    features=[
        Feature("amount", "float64"),
        Feature("quantity", "int64"),
        Feature("is_gift", "bool"),
        Feature("payment_method", "string", owner="payments@shop.example"),
        Feature("discount", "float64", description="Null when no coupon was used."),
    ],
    ttl="30d",  # a last order older than a month says little about what happens next
    description="The customer's most recent order.",
    owner="growth@shop.example",
    tags={"domain": "orders"},
)

customer_engagement = FeatureView(
    "customer_engagement",
    entities=[customer],
    source=page_views,
    features=[
        Feature("dwell_seconds", "float64"),
        Feature("device", "string"),
        Feature("last_viewed_product_id", "int64"),
    ],
    ttl="7d",  # browsing intent fades within days
    description="The customer's most recent product page view.",
    owner="growth@shop.example",
    tags={"domain": "browsing"},
)

customer_daily_stats = FeatureView(
    "customer_daily_stats",
    entities=[customer],
    source=daily_stats,
    features=[
        Feature("orders_7d", "int64"),
        Feature("spend_7d", "float64"),
        Feature("views_7d", "int64"),
        Feature("last_device", "string"),
        Feature("last_order_at", "timestamp", description="Null until the customer's first order."),
    ],
    ttl="3d",  # a daily job: older than a couple of missed runs is stale, not zero
    description="Seven-day activity totals from the nightly rollup.",
    owner="analytics@shop.example",
    tags={"domain": "orders"},
)

customer_profile = FeatureView(
    "customer_profile",
    entities=[customer],
    source=customers,
    features=[
        Feature("country", "string"),
        Feature("signup_channel", "string"),
        Feature("is_subscribed", "bool", description="Newsletter opt-in; null if never asked."),
    ],
    # no ttl: a profile holds until it is replaced
    description="Who the customer is, as recorded at signup.",
    owner="growth@shop.example",
    tags={"domain": "customer"},
)

product_catalog = FeatureView(
    "product_catalog",
    entities=[product],
    source=products,
    features=[
        Feature("category", "string"),
        Feature("price", "float64"),
        Feature("in_stock", "bool"),
    ],
    # no ttl: a price stays valid until the next catalogue row replaces it
    description="The product's current catalogue entry.",
    owner="catalog@shop.example",
    tags={"domain": "catalogue"},
)

customer_product_history = FeatureView(
    "customer_product_history",
    entities=[customer, product],  # keyed by the pair: one customer's history with one product
    source=customer_product_orders,
    features=[
        Feature("last_bought_at", "timestamp"),
        Feature("last_bought_quantity", "int64"),
    ],
    ttl="90d",
    description="When the customer last bought this product, and how many.",
    owner="growth@shop.example",
    tags={"domain": "orders"},
)

customer_activity = FeatureView(
    "customer_activity",
    entities=[customer],
    source=orders,
    aggregations=[
        Aggregation("order_count_7d", "count", "order_id", "7d", description="Orders in the last week."),
        Aggregation("spend_30d", "sum", "amount", "30d", filter="payment_method <> 'invoice'",
                    description="Money spent in the last 30 days, invoices excluded (they may bounce)."),
        Aggregation("avg_basket_30d", "avg", "amount", "30d"),
        Aggregation("gift_orders_30d", "count", "order_id", "30d", filter="is_gift = TRUE"),
    ],
    # refreshed hourly into a table (and per-day tiles for the 30-day windows), re-reading rows
    # that landed up to two hours late
    materialize="incremental",
    schedule="@hourly",
    lookback="2h",
    checks=[
        Check("amount", not_null=0.99),  # a load that lost its amounts must not reach the model
        Check("amount", between=(0, 100_000)),
        # a new payment method is worth knowing about, not worth stopping the refresh for
        Check("payment_method", values=["card", "paypal", "apple_pay", "invoice"], severity="warn"),
    ],
    description="How much the customer has been buying lately.",
    owner="growth@shop.example",
    tags={"domain": "orders"},
)

product_price_history = FeatureView(
    "product_price_history",
    entities=[product],
    source=products,
    features=[Feature("price", "float64")],
    aggregations=[Aggregation("price_changes_90d", "count", "price", "90d"),
                  Aggregation("lowest_price_90d", "min", "price", "90d")],
    materialize="table",  # small: rebuilt whole by each refresh
    schedule="@daily",
    description="The product's price now, and how it moved over a quarter.",
    owner="catalog@shop.example",
    tags={"domain": "catalogue"},
)

# The market is read from the country, which `customers` marks as personal data, so lineage
# makes it PII; `pii=False` is a declassification, shown by `virtualfs plan` for review.
customer_market = FeatureView(
    "customer_market",
    entities=[customer],
    source=customer_markets,
    features=[
        Feature("market", "string", pii=False,
                description="EU, GB or US: each holds millions of customers, so it identifies no one "
                            "(declassified after review by privacy@shop.example)."),
    ],
    description="The market the customer buys in.",
    owner="growth@shop.example",
    tags={"domain": "customer"},
)
