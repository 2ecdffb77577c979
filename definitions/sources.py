"""Sources: where rows live in the warehouse and which columns carry their times.

`timestamp` is when a thing happened; `created` is when its row landed in the warehouse.
Declaring `created` lets virtualfs ignore rows that arrived after the moment a training row
describes, so late or corrected data cannot leak into training.

`columns` classifies the warehouse columns a source reads: a feature computed from a column
marked `pii` is personal data too, through any query, unless it is declared `pii=False`.
"""

from virtualfs import Source

orders = Source(
    "orders",
    table="orders",
    timestamp="ordered_at",
    created="loaded_at",
    description="One row per order; corrections are re-sent with the same order_id, loaded later.",
    owner="data-eng@shop.example",
    tags={"system": "checkout"},
)

# A query, not a table: the viewed product becomes a customer feature under its own name, so it
# cannot be confused with the product_id of a training row that also carries a product.
page_views = Source(
    "page_views",
    query="""
        SELECT customer_id, viewed_at, loaded_at, dwell_seconds, device,
               product_id AS last_viewed_product_id
        FROM page_views
    """,
    timestamp="viewed_at",
    created="loaded_at",
    description="Product page views from web and app tracking; app events may sync days late.",
    owner="data-eng@shop.example",
    tags={"system": "tracking"},
)

# The same orders, keyed by customer and product, to answer "when did they last buy this?".
# The event time is repeated under another name because a time column cannot also be a feature.
customer_product_orders = Source(
    "customer_product_orders",
    query="""
        SELECT customer_id, product_id, ordered_at, loaded_at,
               ordered_at AS last_bought_at, quantity AS last_bought_quantity
        FROM orders
    """,
    timestamp="ordered_at",
    created="loaded_at",
    description="Orders per (customer, product) pair.",
    owner="data-eng@shop.example",
    tags={"system": "checkout"},
)

products = Source(
    "products",
    table="products",
    timestamp="updated_at",
    created="loaded_at",
    description="The catalogue: a new row whenever a product's price or stock changes.",
    owner="catalog@shop.example",
    tags={"system": "catalogue"},
)

customers = Source(
    "customers",
    table="customers",
    timestamp="signup_at",
    created="loaded_at",
    description="Customer profiles, one row per customer from the moment they sign up.",
    owner="data-eng@shop.example",
    tags={"system": "crm"},
    columns={
        "customers.country": {"pii": True, "description": "Country of residence, from the postal address."},
    },
)

# The country coarsened to the market a customer buys in: no more than a handful of values.
customer_markets = Source(
    "customer_markets",
    query="""
        SELECT customer_id, signup_at, loaded_at,
               CASE WHEN country IN ('GB', 'US') THEN country
                    WHEN country IS NOT NULL THEN 'EU' END AS market
        FROM customers
    """,
    timestamp="signup_at",
    created="loaded_at",
    description="Customers by market: EU, GB or US, from the country of residence.",
    owner="growth@shop.example",
    tags={"system": "crm"},
)

# `day` is the day the nightly job summarised; the row only exists from `loaded_at`, the next
# night. With `created` declared, a training row on that day does not see that day's totals.
daily_stats = Source(
    "daily_stats",
    table="customer_daily_stats",
    timestamp="day",
    created="loaded_at",
    description="Nightly per-customer rollups of the last seven days.",
    owner="analytics@shop.example",
    tags={"system": "warehouse-jobs"},
)
