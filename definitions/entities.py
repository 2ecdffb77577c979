"""Entities: the things features describe. Feature views join to them by their keys."""

from virtualfs import Entity

customer = Entity(
    "customer",
    ["customer_id"],
    description="A registered shop customer.",
    owner="growth@shop.example",
)

product = Entity(
    "product",
    ["product_id"],
    description="An item in the catalogue.",
    owner="catalog@shop.example",
)
