"""On-demand views: features computed per request, from other views' features and from values
that arrive with the request itself.

`cart_ratio` compares the cart being checked out with the customer's usual basket: the cart
total comes with the request (`RequestField`), the 30-day average basket from `customer_activity`.
The expression runs in the warehouse inside a training frame (the entity frame carries a
`cart_total` column) and in Python on an online read (`request_data={"cart_total": [...]}`), from
one definition. A zero or missing average gives null, never a division error.
"""

from views import customer_activity  # noqa: F401 - its features are the inputs below

from virtualfs import Feature, OnDemandView, RequestField

cart_ratio = OnDemandView(
    "cart_ratio",
    inputs=["customer_activity:avg_basket_30d", "customer_activity:order_count_7d",
            RequestField("cart_total", "float64", description="The checkout's total, in euros.")],
    features=[
        Feature("ratio", "float64", description="Cart total over the 30-day average basket."),
        Feature("first_big_cart", "bool", description="Three times the usual basket; no order this week."),
    ],
    expressions={
        "ratio": "cart_total / NULLIF(avg_basket_30d, 0)",
        "first_big_cart": "cart_total > 3 * avg_basket_30d AND order_count_7d = 0",
    },
    description="How unusual this checkout's cart is for the customer.",
    owner="risk@shop.example",
    tags={"domain": "fraud"},
)
