WITH `_vfs_snapshot_keys` AS (
  SELECT
    *,
    CAST('2026-09-30 12:00:00+00:00' AS TIMESTAMP) AS `_vfs_asof`,
    CAST(NULL AS TIMESTAMP) AS `_vfs_created`,
    ROW_NUMBER() OVER (ORDER BY `_vfs_key0` NULLS LAST) AS `_vfs_row`
  FROM (
    SELECT DISTINCT
      `_vfs_source`.`customer_id` AS `_vfs_key0`
    FROM `orders` AS `_vfs_source`
    WHERE
      NOT `_vfs_source`.`customer_id` IS NULL
      AND `_vfs_source`.`ordered_at` <= CAST('2026-09-30 12:00:00+00:00' AS TIMESTAMP)
  ) AS `_vfs_distinct`
), `_vfs_bounds` AS (
  SELECT
    MIN(`_vfs_asof`) AS `_vfs_low`,
    MAX(`_vfs_asof`) AS `_vfs_high`
  FROM `_vfs_snapshot_keys`
), `_vfs_a0_scan` AS (
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
), `_vfs_a0_pairs` AS (
  SELECT
    `_vfs_entity`.`_vfs_row`,
    `_vfs_a0_scan`.*,
    `_vfs_a0_scan`.`_vfs_event` > (
      `_vfs_entity`.`_vfs_asof` - INTERVAL '604800' SECOND
    ) AS `_vfs_in_604800000000`
  FROM `_vfs_snapshot_keys` AS `_vfs_entity`
  INNER JOIN `_vfs_a0_scan`
    ON `_vfs_entity`.`_vfs_key0` = `_vfs_a0_scan`.`_vfs_k0`
    AND `_vfs_a0_scan`.`_vfs_event` <= `_vfs_entity`.`_vfs_asof`
    AND `_vfs_a0_scan`.`_vfs_event` > (
      `_vfs_entity`.`_vfs_asof` - INTERVAL '2592000' SECOND
    )
    AND (
      `_vfs_a0_scan`.`_vfs_created` <= `_vfs_entity`.`_vfs_asof`
      OR `_vfs_a0_scan`.`_vfs_created` IS NULL
    )
), `_vfs_a0_agg` AS (
  SELECT
    `_vfs_row`,
    COUNT(CASE WHEN `_vfs_in_604800000000` THEN `_vfs_m0` END) AS `_vfs_o0`,
    CAST(SUM(CAST(`_vfs_x1` AS DECIMAL(38, 12))) AS DOUBLE) + COALESCE(SUM(`_vfs_y1`), 0) AS `_vfs_o1`,
    CAST(CAST(SUM(CAST(`_vfs_x2` AS DECIMAL(38, 12))) AS DOUBLE) + COALESCE(SUM(`_vfs_y2`), 0) AS DOUBLE) / NULLIF(COUNT(`_vfs_m2`), 0) AS `_vfs_o2`,
    COUNT(`_vfs_m3`) AS `_vfs_o3`
  FROM `_vfs_a0_pairs`
  GROUP BY
    `_vfs_row`
), `_vfs_a0_result` AS (
  SELECT
    `_vfs_entity`.`_vfs_row`,
    CAST(COALESCE(`_vfs_p0`.`_vfs_o0`, 0) AS BIGINT) AS `_vfs_o0`,
    CAST(`_vfs_p0`.`_vfs_o1` AS DOUBLE) AS `_vfs_o1`,
    CAST(`_vfs_p0`.`_vfs_o2` AS DOUBLE) AS `_vfs_o2`,
    CAST(COALESCE(`_vfs_p0`.`_vfs_o3`, 0) AS BIGINT) AS `_vfs_o3`
  FROM `_vfs_snapshot_keys` AS `_vfs_entity`
  LEFT JOIN `_vfs_a0_agg` AS `_vfs_p0`
    ON `_vfs_p0`.`_vfs_row` = `_vfs_entity`.`_vfs_row`
)
SELECT
  `_vfs_entity`.`_vfs_key0`,
  `_vfs_entity`.`_vfs_asof`,
  `_vfs_entity`.`_vfs_created`,
  `_vfs_a0`.`_vfs_o0` AS `order_count_7d`,
  `_vfs_a0`.`_vfs_o1` AS `spend_30d`,
  `_vfs_a0`.`_vfs_o2` AS `avg_basket_30d`,
  `_vfs_a0`.`_vfs_o3` AS `gift_orders_30d`
FROM `_vfs_snapshot_keys` AS `_vfs_entity`
LEFT JOIN `_vfs_a0_result` AS `_vfs_a0`
  ON `_vfs_a0`.`_vfs_row` = `_vfs_entity`.`_vfs_row`;
