SELECT
  `customer_id` AS `customer_id`,
  `ordered_at` AS `ordered_at`,
  `loaded_at` AS `loaded_at`,
  `order_id` AS `order_id`,
  `amount` AS `amount`,
  `payment_method` AS `payment_method`,
  `is_gift` AS `is_gift`
FROM `orders`
WHERE
  `loaded_at` >= CAST('2026-08-31 22:00:00' AS TIMESTAMP);
