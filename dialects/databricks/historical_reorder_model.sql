WITH `_vfs_bounds` AS (
  SELECT
    MIN(`event_timestamp`) AS `_vfs_low`,
    MAX(`event_timestamp`) AS `_vfs_high`
  FROM `_vfs_entities`
), `_vfs_scan_0` AS (
  SELECT
    `_vfs_source`.`customer_id` AS `customer_id`,
    `_vfs_source`.`ordered_at` AS `_vfs_event`,
    `_vfs_source`.`loaded_at` AS `_vfs_created`,
    CASE
      WHEN `_vfs_source`.`loaded_at` > `_vfs_source`.`ordered_at`
      THEN `_vfs_source`.`loaded_at`
      ELSE `_vfs_source`.`ordered_at`
    END AS `_vfs_known`,
    `_vfs_source`.`amount` AS `amount`,
    `_vfs_source`.`quantity` AS `quantity`,
    `_vfs_source`.`is_gift` AS `is_gift`
  FROM `orders` AS `_vfs_source`
  CROSS JOIN `_vfs_bounds`
  WHERE
    `_vfs_source`.`ordered_at` <= `_vfs_bounds`.`_vfs_high`
    AND `_vfs_source`.`ordered_at` >= `_vfs_bounds`.`_vfs_low` - INTERVAL '2592000' SECOND
    AND COALESCE(`_vfs_source`.`loaded_at`, `_vfs_source`.`ordered_at`) <= `_vfs_bounds`.`_vfs_high`
), `_vfs_best_0` AS (
  SELECT
    `_vfs_entity`.`_vfs_row`,
    `_vfs_scan_0`.`amount` AS `amount`,
    `_vfs_scan_0`.`quantity` AS `quantity`,
    `_vfs_scan_0`.`is_gift` AS `is_gift`
  FROM `_vfs_entities` AS `_vfs_entity`
  INNER JOIN `_vfs_scan_0`
    ON `_vfs_entity`.`customer_id` = `_vfs_scan_0`.`customer_id`
    AND `_vfs_scan_0`.`_vfs_event` <= `_vfs_entity`.`event_timestamp`
    AND COALESCE(`_vfs_scan_0`.`_vfs_created`, `_vfs_scan_0`.`_vfs_event`) <= `_vfs_entity`.`event_timestamp`
    AND `_vfs_scan_0`.`_vfs_event` >= `_vfs_entity`.`event_timestamp` - INTERVAL '2592000' SECOND
  QUALIFY
    ROW_NUMBER() OVER (
      PARTITION BY `_vfs_entity`.`_vfs_row`
      ORDER BY `_vfs_scan_0`.`_vfs_event` DESC, `_vfs_scan_0`.`_vfs_created` DESC
    ) = 1
), `_vfs_scan_1` AS (
  SELECT
    `_vfs_source`.`customer_id` AS `customer_id`,
    `_vfs_source`.`viewed_at` AS `_vfs_event`,
    `_vfs_source`.`loaded_at` AS `_vfs_created`,
    CASE
      WHEN `_vfs_source`.`loaded_at` > `_vfs_source`.`viewed_at`
      THEN `_vfs_source`.`loaded_at`
      ELSE `_vfs_source`.`viewed_at`
    END AS `_vfs_known`,
    `_vfs_source`.`dwell_seconds` AS `dwell_seconds`,
    `_vfs_source`.`device` AS `device`
  FROM (
    SELECT
      `customer_id`,
      `viewed_at`,
      `loaded_at`,
      `dwell_seconds`,
      `device`,
      `product_id` AS `last_viewed_product_id`
    FROM `page_views`
  ) AS `_vfs_source`
  CROSS JOIN `_vfs_bounds`
  WHERE
    `_vfs_source`.`viewed_at` <= `_vfs_bounds`.`_vfs_high`
    AND `_vfs_source`.`viewed_at` >= `_vfs_bounds`.`_vfs_low` - INTERVAL '604800' SECOND
    AND COALESCE(`_vfs_source`.`loaded_at`, `_vfs_source`.`viewed_at`) <= `_vfs_bounds`.`_vfs_high`
), `_vfs_best_1` AS (
  SELECT
    `_vfs_entity`.`_vfs_row`,
    `_vfs_scan_1`.`dwell_seconds` AS `dwell_seconds`,
    `_vfs_scan_1`.`device` AS `device`
  FROM `_vfs_entities` AS `_vfs_entity`
  INNER JOIN `_vfs_scan_1`
    ON `_vfs_entity`.`customer_id` = `_vfs_scan_1`.`customer_id`
    AND `_vfs_scan_1`.`_vfs_event` <= `_vfs_entity`.`event_timestamp`
    AND COALESCE(`_vfs_scan_1`.`_vfs_created`, `_vfs_scan_1`.`_vfs_event`) <= `_vfs_entity`.`event_timestamp`
    AND `_vfs_scan_1`.`_vfs_event` >= `_vfs_entity`.`event_timestamp` - INTERVAL '604800' SECOND
  QUALIFY
    ROW_NUMBER() OVER (
      PARTITION BY `_vfs_entity`.`_vfs_row`
      ORDER BY `_vfs_scan_1`.`_vfs_event` DESC, `_vfs_scan_1`.`_vfs_created` DESC
    ) = 1
), `_vfs_scan_2` AS (
  SELECT
    `_vfs_source`.`customer_id` AS `customer_id`,
    `_vfs_source`.`day` AS `_vfs_event`,
    `_vfs_source`.`loaded_at` AS `_vfs_created`,
    CASE
      WHEN `_vfs_source`.`loaded_at` > `_vfs_source`.`day`
      THEN `_vfs_source`.`loaded_at`
      ELSE `_vfs_source`.`day`
    END AS `_vfs_known`,
    `_vfs_source`.`orders_7d` AS `orders_7d`,
    `_vfs_source`.`spend_7d` AS `spend_7d`,
    `_vfs_source`.`views_7d` AS `views_7d`,
    `_vfs_source`.`last_device` AS `last_device`,
    `_vfs_source`.`last_order_at` AS `last_order_at`
  FROM `customer_daily_stats` AS `_vfs_source`
  CROSS JOIN `_vfs_bounds`
  WHERE
    `_vfs_source`.`day` <= `_vfs_bounds`.`_vfs_high`
    AND `_vfs_source`.`day` >= `_vfs_bounds`.`_vfs_low` - INTERVAL '259200' SECOND
    AND COALESCE(`_vfs_source`.`loaded_at`, `_vfs_source`.`day`) <= `_vfs_bounds`.`_vfs_high`
), `_vfs_best_2` AS (
  SELECT
    `_vfs_entity`.`_vfs_row`,
    `_vfs_scan_2`.`orders_7d` AS `orders_7d`,
    `_vfs_scan_2`.`spend_7d` AS `spend_7d`,
    `_vfs_scan_2`.`views_7d` AS `views_7d`,
    `_vfs_scan_2`.`last_device` AS `last_device`,
    `_vfs_scan_2`.`last_order_at` AS `last_order_at`
  FROM `_vfs_entities` AS `_vfs_entity`
  INNER JOIN `_vfs_scan_2`
    ON `_vfs_entity`.`customer_id` = `_vfs_scan_2`.`customer_id`
    AND `_vfs_scan_2`.`_vfs_event` <= `_vfs_entity`.`event_timestamp`
    AND COALESCE(`_vfs_scan_2`.`_vfs_created`, `_vfs_scan_2`.`_vfs_event`) <= `_vfs_entity`.`event_timestamp`
    AND `_vfs_scan_2`.`_vfs_event` >= `_vfs_entity`.`event_timestamp` - INTERVAL '259200' SECOND
  QUALIFY
    ROW_NUMBER() OVER (
      PARTITION BY `_vfs_entity`.`_vfs_row`
      ORDER BY `_vfs_scan_2`.`_vfs_event` DESC, `_vfs_scan_2`.`_vfs_created` DESC
    ) = 1
), `_vfs_scan_3` AS (
  SELECT
    `_vfs_source`.`customer_id` AS `customer_id`,
    `_vfs_source`.`signup_at` AS `_vfs_event`,
    `_vfs_source`.`loaded_at` AS `_vfs_created`,
    CASE
      WHEN `_vfs_source`.`loaded_at` > `_vfs_source`.`signup_at`
      THEN `_vfs_source`.`loaded_at`
      ELSE `_vfs_source`.`signup_at`
    END AS `_vfs_known`,
    `_vfs_source`.`country` AS `country`,
    `_vfs_source`.`is_subscribed` AS `is_subscribed`
  FROM `customers` AS `_vfs_source`
  CROSS JOIN `_vfs_bounds`
  WHERE
    `_vfs_source`.`signup_at` <= `_vfs_bounds`.`_vfs_high`
    AND COALESCE(`_vfs_source`.`loaded_at`, `_vfs_source`.`signup_at`) <= `_vfs_bounds`.`_vfs_high`
), `_vfs_best_3` AS (
  SELECT
    `_vfs_entity`.`_vfs_row`,
    `_vfs_scan_3`.`country` AS `country`,
    `_vfs_scan_3`.`is_subscribed` AS `is_subscribed`
  FROM `_vfs_entities` AS `_vfs_entity`
  INNER JOIN `_vfs_scan_3`
    ON `_vfs_entity`.`customer_id` = `_vfs_scan_3`.`customer_id`
    AND `_vfs_scan_3`.`_vfs_event` <= `_vfs_entity`.`event_timestamp`
    AND COALESCE(`_vfs_scan_3`.`_vfs_created`, `_vfs_scan_3`.`_vfs_event`) <= `_vfs_entity`.`event_timestamp`
  QUALIFY
    ROW_NUMBER() OVER (
      PARTITION BY `_vfs_entity`.`_vfs_row`
      ORDER BY `_vfs_scan_3`.`_vfs_event` DESC, `_vfs_scan_3`.`_vfs_created` DESC
    ) = 1
), `_vfs_scan_4` AS (
  SELECT
    `_vfs_source`.`product_id` AS `product_id`,
    `_vfs_source`.`updated_at` AS `_vfs_event`,
    `_vfs_source`.`loaded_at` AS `_vfs_created`,
    CASE
      WHEN `_vfs_source`.`loaded_at` > `_vfs_source`.`updated_at`
      THEN `_vfs_source`.`loaded_at`
      ELSE `_vfs_source`.`updated_at`
    END AS `_vfs_known`,
    `_vfs_source`.`category` AS `category`,
    `_vfs_source`.`price` AS `price`,
    `_vfs_source`.`in_stock` AS `in_stock`
  FROM `products` AS `_vfs_source`
  CROSS JOIN `_vfs_bounds`
  WHERE
    `_vfs_source`.`updated_at` <= `_vfs_bounds`.`_vfs_high`
    AND COALESCE(`_vfs_source`.`loaded_at`, `_vfs_source`.`updated_at`) <= `_vfs_bounds`.`_vfs_high`
), `_vfs_best_4` AS (
  SELECT
    `_vfs_entity`.`_vfs_row`,
    `_vfs_scan_4`.`category` AS `category`,
    `_vfs_scan_4`.`price` AS `price`,
    `_vfs_scan_4`.`in_stock` AS `in_stock`
  FROM `_vfs_entities` AS `_vfs_entity`
  INNER JOIN `_vfs_scan_4`
    ON `_vfs_entity`.`product_id` = `_vfs_scan_4`.`product_id`
    AND `_vfs_scan_4`.`_vfs_event` <= `_vfs_entity`.`event_timestamp`
    AND COALESCE(`_vfs_scan_4`.`_vfs_created`, `_vfs_scan_4`.`_vfs_event`) <= `_vfs_entity`.`event_timestamp`
  QUALIFY
    ROW_NUMBER() OVER (
      PARTITION BY `_vfs_entity`.`_vfs_row`
      ORDER BY `_vfs_scan_4`.`_vfs_event` DESC, `_vfs_scan_4`.`_vfs_created` DESC
    ) = 1
), `_vfs_scan_5` AS (
  SELECT
    `_vfs_source`.`customer_id` AS `customer_id`,
    `_vfs_source`.`product_id` AS `product_id`,
    `_vfs_source`.`ordered_at` AS `_vfs_event`,
    `_vfs_source`.`loaded_at` AS `_vfs_created`,
    CASE
      WHEN `_vfs_source`.`loaded_at` > `_vfs_source`.`ordered_at`
      THEN `_vfs_source`.`loaded_at`
      ELSE `_vfs_source`.`ordered_at`
    END AS `_vfs_known`,
    `_vfs_source`.`last_bought_at` AS `last_bought_at`,
    `_vfs_source`.`last_bought_quantity` AS `last_bought_quantity`
  FROM (
    SELECT
      `customer_id`,
      `product_id`,
      `ordered_at`,
      `loaded_at`,
      `ordered_at` AS `last_bought_at`,
      `quantity` AS `last_bought_quantity`
    FROM `orders`
  ) AS `_vfs_source`
  CROSS JOIN `_vfs_bounds`
  WHERE
    `_vfs_source`.`ordered_at` <= `_vfs_bounds`.`_vfs_high`
    AND `_vfs_source`.`ordered_at` >= `_vfs_bounds`.`_vfs_low` - INTERVAL '7776000' SECOND
    AND COALESCE(`_vfs_source`.`loaded_at`, `_vfs_source`.`ordered_at`) <= `_vfs_bounds`.`_vfs_high`
), `_vfs_best_5` AS (
  SELECT
    `_vfs_entity`.`_vfs_row`,
    `_vfs_scan_5`.`last_bought_at` AS `last_bought_at`,
    `_vfs_scan_5`.`last_bought_quantity` AS `last_bought_quantity`
  FROM `_vfs_entities` AS `_vfs_entity`
  INNER JOIN `_vfs_scan_5`
    ON `_vfs_entity`.`customer_id` = `_vfs_scan_5`.`customer_id`
    AND `_vfs_entity`.`product_id` = `_vfs_scan_5`.`product_id`
    AND `_vfs_scan_5`.`_vfs_event` <= `_vfs_entity`.`event_timestamp`
    AND COALESCE(`_vfs_scan_5`.`_vfs_created`, `_vfs_scan_5`.`_vfs_event`) <= `_vfs_entity`.`event_timestamp`
    AND `_vfs_scan_5`.`_vfs_event` >= `_vfs_entity`.`event_timestamp` - INTERVAL '7776000' SECOND
  QUALIFY
    ROW_NUMBER() OVER (
      PARTITION BY `_vfs_entity`.`_vfs_row`
      ORDER BY `_vfs_scan_5`.`_vfs_event` DESC, `_vfs_scan_5`.`_vfs_created` DESC
    ) = 1
), `_vfs_a6_scan` AS (
  SELECT
    `_vfs_source`.`customer_id` AS `_vfs_k0`,
    `_vfs_source`.`ordered_at` AS `_vfs_event`,
    `_vfs_source`.`loaded_at` AS `_vfs_created`,
    `_vfs_source`.`order_id` AS `_vfs_m0`,
    CASE
      WHEN `_vfs_source`.`payment_method` <> 'invoice'
      THEN `_vfs_source`.`amount`
    END AS `_vfs_m1`,
    CASE
      WHEN ABS(
        CASE
          WHEN `_vfs_source`.`payment_method` <> 'invoice'
          THEN `_vfs_source`.`amount`
        END
      ) < 9223372036854775808
      THEN CAST(CASE
        WHEN `_vfs_source`.`payment_method` <> 'invoice'
        THEN `_vfs_source`.`amount`
      END AS DECIMAL(38, 12))
      WHEN NOT CASE
        WHEN `_vfs_source`.`payment_method` <> 'invoice'
        THEN `_vfs_source`.`amount`
      END IS NULL
      THEN 0
    END AS `_vfs_x1`,
    CASE
      WHEN NOT ABS(
        CASE
          WHEN `_vfs_source`.`payment_method` <> 'invoice'
          THEN `_vfs_source`.`amount`
        END
      ) < 9223372036854775808
      THEN CASE
        WHEN `_vfs_source`.`payment_method` <> 'invoice'
        THEN `_vfs_source`.`amount`
      END
    END AS `_vfs_y1`,
    `_vfs_source`.`amount` AS `_vfs_m2`,
    CASE
      WHEN ABS(`_vfs_source`.`amount`) < 9223372036854775808
      THEN CAST(`_vfs_source`.`amount` AS DECIMAL(38, 12))
      WHEN NOT `_vfs_source`.`amount` IS NULL
      THEN 0
    END AS `_vfs_x2`,
    CASE
      WHEN NOT ABS(`_vfs_source`.`amount`) < 9223372036854775808
      THEN `_vfs_source`.`amount`
    END AS `_vfs_y2`,
    CASE WHEN `_vfs_source`.`is_gift` = TRUE THEN `_vfs_source`.`order_id` END AS `_vfs_m3`
  FROM `orders` AS `_vfs_source`
), `_vfs_a6_pairs` AS (
  SELECT
    `_vfs_entity`.`_vfs_row`,
    `_vfs_a6_scan`.*,
    `_vfs_a6_scan`.`_vfs_event` > (
      `_vfs_entity`.`event_timestamp` - INTERVAL '604800' SECOND
    ) AS `_vfs_in_604800000000`
  FROM `_vfs_entities` AS `_vfs_entity`
  INNER JOIN `_vfs_a6_scan`
    ON `_vfs_entity`.`customer_id` = `_vfs_a6_scan`.`_vfs_k0`
    AND `_vfs_a6_scan`.`_vfs_event` <= `_vfs_entity`.`event_timestamp`
    AND `_vfs_a6_scan`.`_vfs_event` > (
      `_vfs_entity`.`event_timestamp` - INTERVAL '2592000' SECOND
    )
    AND (
      `_vfs_a6_scan`.`_vfs_created` <= `_vfs_entity`.`event_timestamp`
      OR `_vfs_a6_scan`.`_vfs_created` IS NULL
    )
), `_vfs_a6_agg` AS (
  SELECT
    `_vfs_row`,
    COUNT(CASE WHEN `_vfs_in_604800000000` THEN `_vfs_m0` END) AS `_vfs_o0`,
    CAST(SUM(CAST(`_vfs_x1` AS DECIMAL(38, 12))) AS DOUBLE) + COALESCE(SUM(`_vfs_y1`), 0) AS `_vfs_o1`,
    CAST(CAST(SUM(CAST(`_vfs_x2` AS DECIMAL(38, 12))) AS DOUBLE) + COALESCE(SUM(`_vfs_y2`), 0) AS DOUBLE) / NULLIF(COUNT(`_vfs_m2`), 0) AS `_vfs_o2`,
    COUNT(`_vfs_m3`) AS `_vfs_o3`
  FROM `_vfs_a6_pairs`
  GROUP BY
    `_vfs_row`
), `_vfs_a6_result` AS (
  SELECT
    `_vfs_entity`.`_vfs_row`,
    CAST(COALESCE(`_vfs_p0`.`_vfs_o0`, 0) AS BIGINT) AS `_vfs_o0`,
    `_vfs_p0`.`_vfs_o1` AS `_vfs_o1`,
    CAST(`_vfs_p0`.`_vfs_o2` AS DOUBLE) AS `_vfs_o2`,
    CAST(COALESCE(`_vfs_p0`.`_vfs_o3`, 0) AS BIGINT) AS `_vfs_o3`
  FROM `_vfs_entities` AS `_vfs_entity`
  LEFT JOIN `_vfs_a6_agg` AS `_vfs_p0`
    ON `_vfs_p0`.`_vfs_row` = `_vfs_entity`.`_vfs_row`
), `_vfs_a7_scan` AS (
  SELECT
    `_vfs_source`.`product_id` AS `_vfs_k0`,
    `_vfs_source`.`updated_at` AS `_vfs_event`,
    `_vfs_source`.`loaded_at` AS `_vfs_created`,
    `_vfs_source`.`price` AS `_vfs_m0`
  FROM `products` AS `_vfs_source`
), `_vfs_a7_pairs` AS (
  SELECT
    `_vfs_entity`.`_vfs_row`,
    `_vfs_a7_scan`.*
  FROM `_vfs_entities` AS `_vfs_entity`
  INNER JOIN `_vfs_a7_scan`
    ON `_vfs_entity`.`product_id` = `_vfs_a7_scan`.`_vfs_k0`
    AND `_vfs_a7_scan`.`_vfs_event` <= `_vfs_entity`.`event_timestamp`
    AND `_vfs_a7_scan`.`_vfs_event` > (
      `_vfs_entity`.`event_timestamp` - INTERVAL '7776000' SECOND
    )
    AND (
      `_vfs_a7_scan`.`_vfs_created` <= `_vfs_entity`.`event_timestamp`
      OR `_vfs_a7_scan`.`_vfs_created` IS NULL
    )
), `_vfs_a7_agg` AS (
  SELECT
    `_vfs_row`,
    COUNT(`_vfs_m0`) AS `_vfs_o0`,
    MIN(`_vfs_m0`) AS `_vfs_o1`
  FROM `_vfs_a7_pairs`
  GROUP BY
    `_vfs_row`
), `_vfs_a7_result` AS (
  SELECT
    `_vfs_entity`.`_vfs_row`,
    CAST(COALESCE(`_vfs_p0`.`_vfs_o0`, 0) AS BIGINT) AS `_vfs_o0`,
    `_vfs_p0`.`_vfs_o1` AS `_vfs_o1`
  FROM `_vfs_entities` AS `_vfs_entity`
  LEFT JOIN `_vfs_a7_agg` AS `_vfs_p0`
    ON `_vfs_p0`.`_vfs_row` = `_vfs_entity`.`_vfs_row`
)
SELECT
  `_vfs_entity`.`customer_id`,
  `_vfs_entity`.`product_id`,
  `_vfs_entity`.`event_timestamp`,
  `_vfs_v0`.`amount` AS `amount`,
  `_vfs_v0`.`quantity` AS `quantity`,
  `_vfs_v0`.`is_gift` AS `is_gift`,
  `_vfs_v1`.`dwell_seconds` AS `dwell_seconds`,
  `_vfs_v1`.`device` AS `device`,
  `_vfs_v2`.`orders_7d` AS `orders_7d`,
  `_vfs_v2`.`spend_7d` AS `spend_7d`,
  `_vfs_v2`.`views_7d` AS `views_7d`,
  `_vfs_v2`.`last_device` AS `last_device`,
  `_vfs_v2`.`last_order_at` AS `last_order_at`,
  `_vfs_v3`.`country` AS `country`,
  `_vfs_v3`.`is_subscribed` AS `is_subscribed`,
  `_vfs_v4`.`category` AS `category`,
  `_vfs_v4`.`price` AS `price`,
  `_vfs_v4`.`in_stock` AS `in_stock`,
  `_vfs_v5`.`last_bought_at` AS `last_bought_at`,
  `_vfs_v5`.`last_bought_quantity` AS `last_bought_quantity`,
  `_vfs_a6`.`_vfs_o0` AS `order_count_7d`,
  `_vfs_a6`.`_vfs_o1` AS `spend_30d`,
  `_vfs_a6`.`_vfs_o2` AS `avg_basket_30d`,
  `_vfs_a6`.`_vfs_o3` AS `gift_orders_30d`,
  `_vfs_a7`.`_vfs_o0` AS `price_changes_90d`,
  `_vfs_a7`.`_vfs_o1` AS `lowest_price_90d`
FROM `_vfs_entities` AS `_vfs_entity`
LEFT JOIN `_vfs_best_0` AS `_vfs_v0`
  ON `_vfs_v0`.`_vfs_row` = `_vfs_entity`.`_vfs_row`
LEFT JOIN `_vfs_best_1` AS `_vfs_v1`
  ON `_vfs_v1`.`_vfs_row` = `_vfs_entity`.`_vfs_row`
LEFT JOIN `_vfs_best_2` AS `_vfs_v2`
  ON `_vfs_v2`.`_vfs_row` = `_vfs_entity`.`_vfs_row`
LEFT JOIN `_vfs_best_3` AS `_vfs_v3`
  ON `_vfs_v3`.`_vfs_row` = `_vfs_entity`.`_vfs_row`
LEFT JOIN `_vfs_best_4` AS `_vfs_v4`
  ON `_vfs_v4`.`_vfs_row` = `_vfs_entity`.`_vfs_row`
LEFT JOIN `_vfs_best_5` AS `_vfs_v5`
  ON `_vfs_v5`.`_vfs_row` = `_vfs_entity`.`_vfs_row`
LEFT JOIN `_vfs_a6_result` AS `_vfs_a6`
  ON `_vfs_a6`.`_vfs_row` = `_vfs_entity`.`_vfs_row`
LEFT JOIN `_vfs_a7_result` AS `_vfs_a7`
  ON `_vfs_a7`.`_vfs_row` = `_vfs_entity`.`_vfs_row`
ORDER BY
  `_vfs_entity`.`_vfs_row` ASC NULLS LAST;
