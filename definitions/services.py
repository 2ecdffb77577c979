"""Feature services: the features one model consumes, fetched together by name."""

from virtualfs import FeatureService

# Scored per (customer, candidate product): will the customer order again within seven days?
# Customer history and profile, the product's current listing, and the pair's own history.
reorder_model = FeatureService(
    "reorder_model",
    features=[
        "customer_orders:amount",
        "customer_orders:quantity",
        "customer_orders:is_gift",
        "customer_engagement:dwell_seconds",
        "customer_engagement:device",
        "customer_daily_stats:*",
        "customer_profile:country",
        "customer_profile:is_subscribed",
        "product_catalog:category",
        "product_catalog:price",
        "product_catalog:in_stock",
        "customer_product_history:*",
        "customer_activity:*",
        "product_price_history:price_changes_90d",
        "product_price_history:lowest_price_90d",
    ],
    description="Will this customer reorder within seven days? Label: make_demo_entities' reordered.",
    owner="ml-platform@shop.example",
    tags={"model": "reorder", "stage": "production"},
)

# Scored at checkout: is this order unusual for the customer? The request carries cart_total.
checkout_risk = FeatureService(
    "checkout_risk",
    features=["cart_ratio:*", "customer_activity:order_count_7d", "customer_orders:payment_method"],
    description="Is this checkout unusual for the customer? Request field: cart_total.",
    owner="risk@shop.example",
    tags={"model": "checkout_risk", "stage": "staging"},
)
