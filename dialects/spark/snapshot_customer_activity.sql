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
), `_vfs_a0_ent` AS (
  SELECT
    `_vfs_entity`.`_vfs_row`,
    `_vfs_entity`.`_vfs_key0` AS `_vfs_k0`,
    UNIX_MICROS(`_vfs_entity`.`_vfs_asof`) AS `_vfs_t`
  FROM `_vfs_snapshot_keys` AS `_vfs_entity`
), `_vfs_a0_g0_routes` AS (
  SELECT
    `_vfs_k0`,
    (
      CAST(COUNT(*) AS DOUBLE) * 2592000000000
    ) >= (
      2.0 * CAST(MAX(`_vfs_t`) - MIN(`_vfs_t`) + 2592000000000 AS DOUBLE)
    ) AS `_vfs_dense`,
    MIN(`_vfs_t`) AS `_vfs_lo`,
    MAX(`_vfs_t`) AS `_vfs_hi`
  FROM `_vfs_a0_ent`
  GROUP BY
    `_vfs_k0`
), `_vfs_a0_g0_probe` AS (
  SELECT
    `_vfs_a0_ent`.*,
    `_vfs_a0_ent`.`_vfs_t` DIV 86400000000 AS `_vfs_tt`,
    (
      `_vfs_a0_ent`.`_vfs_t` - 604800000000
    ) DIV 86400000000 AS `_vfs_ta_604800000000`,
    (
      `_vfs_a0_ent`.`_vfs_t` - 2592000000000
    ) DIV 86400000000 AS `_vfs_ta_2592000000000`,
    `_vfs_a0_g0_routes`.`_vfs_dense`,
    `_vfs_a0_ent`.`_vfs_t` DIV 2592000000000 AS `_vfs_bt`,
    (
      `_vfs_a0_ent`.`_vfs_t` - 2592000000000
    ) DIV 2592000000000 AS `_vfs_ba`
  FROM `_vfs_a0_ent`
  INNER JOIN `_vfs_a0_g0_routes`
    ON `_vfs_a0_ent`.`_vfs_k0` = `_vfs_a0_g0_routes`.`_vfs_k0`
), `_vfs_a0_g0_tiles` AS (
  SELECT
    `_vfs_scan`.`_vfs_k0`,
    `_vfs_scan`.`_vfs_tile_86400000000` AS `_vfs_tile`,
    MAX(`_vfs_scan`.`_vfs_k`) AS `_vfs_mk`,
    COUNT(`_vfs_scan`.`_vfs_m0`) AS `_vfs_n0`,
    SUM(
      CAST(CASE
        WHEN ABS(`_vfs_scan`.`_vfs_m1`) < 9223372036854775808
        THEN CAST(`_vfs_scan`.`_vfs_m1` AS DECIMAL(38, 12))
        WHEN NOT `_vfs_scan`.`_vfs_m1` IS NULL
        THEN 0
      END AS DECIMAL(38, 12))
    ) AS `_vfs_s1`,
    SUM(
      CASE
        WHEN NOT ABS(`_vfs_scan`.`_vfs_m1`) < 9223372036854775808
        THEN `_vfs_scan`.`_vfs_m1`
      END
    ) AS `_vfs_r1`,
    COUNT(`_vfs_scan`.`_vfs_m2`) AS `_vfs_n2`,
    SUM(
      CAST(CASE
        WHEN ABS(`_vfs_scan`.`_vfs_m2`) < 9223372036854775808
        THEN CAST(`_vfs_scan`.`_vfs_m2` AS DECIMAL(38, 12))
        WHEN NOT `_vfs_scan`.`_vfs_m2` IS NULL
        THEN 0
      END AS DECIMAL(38, 12))
    ) AS `_vfs_s2`,
    SUM(
      CASE
        WHEN NOT ABS(`_vfs_scan`.`_vfs_m2`) < 9223372036854775808
        THEN `_vfs_scan`.`_vfs_m2`
      END
    ) AS `_vfs_r2`,
    COUNT(`_vfs_scan`.`_vfs_m3`) AS `_vfs_n3`
  FROM (
    SELECT
      `_vfs_source`.`customer_id` AS `_vfs_k0`,
      UNIX_MICROS(`_vfs_source`.`ordered_at`) AS `_vfs_e`,
      CASE
        WHEN UNIX_MICROS(`_vfs_source`.`loaded_at`) > UNIX_MICROS(`_vfs_source`.`ordered_at`)
        THEN UNIX_MICROS(`_vfs_source`.`loaded_at`)
        ELSE UNIX_MICROS(`_vfs_source`.`ordered_at`)
      END AS `_vfs_k`,
      UNIX_MICROS(`_vfs_source`.`loaded_at`) AS `_vfs_c`,
      (
        UNIX_MICROS(`_vfs_source`.`ordered_at`)
      ) DIV 86400000000 AS `_vfs_tile_86400000000`,
      (
        UNIX_MICROS(`_vfs_source`.`ordered_at`)
      ) DIV 2592000000000 AS `_vfs_tile_2592000000000`,
      `_vfs_source`.`order_id` AS `_vfs_m0`,
      CASE
        WHEN `_vfs_source`.`payment_method` <> 'invoice'
        THEN `_vfs_source`.`amount`
      END AS `_vfs_m1`,
      `_vfs_source`.`amount` AS `_vfs_m2`,
      CASE WHEN `_vfs_source`.`is_gift` = TRUE THEN `_vfs_source`.`order_id` END AS `_vfs_m3`
    FROM `orders` AS `_vfs_source`
    WHERE
      UNIX_MICROS(`_vfs_source`.`ordered_at`) > 1788177600000000
      AND CASE
        WHEN UNIX_MICROS(`_vfs_source`.`loaded_at`) > UNIX_MICROS(`_vfs_source`.`ordered_at`)
        THEN UNIX_MICROS(`_vfs_source`.`loaded_at`)
        ELSE UNIX_MICROS(`_vfs_source`.`ordered_at`)
      END <= 1790769600000000
  ) AS `_vfs_scan`
  INNER JOIN `_vfs_a0_g0_routes`
    ON `_vfs_scan`.`_vfs_k0` = `_vfs_a0_g0_routes`.`_vfs_k0`
    AND `_vfs_a0_g0_routes`.`_vfs_dense`
    AND `_vfs_scan`.`_vfs_e` > (
      `_vfs_a0_g0_routes`.`_vfs_lo` - 2592000000000
    )
    AND `_vfs_scan`.`_vfs_e` <= `_vfs_a0_g0_routes`.`_vfs_hi`
    AND `_vfs_scan`.`_vfs_k` <= `_vfs_a0_g0_routes`.`_vfs_hi`
  GROUP BY
    `_vfs_scan`.`_vfs_k0`,
    `_vfs_scan`.`_vfs_tile_86400000000`
), `_vfs_a0_g0_middle` AS (
  SELECT
    `_vfs_a0_g0_probe`.`_vfs_row`,
    `_vfs_a0_g0_probe`.`_vfs_k0`,
    `_vfs_a0_g0_probe`.`_vfs_t`,
    `_vfs_a0_g0_probe`.`_vfs_tt`,
    `_vfs_a0_g0_probe`.`_vfs_ta_604800000000`,
    `_vfs_a0_g0_probe`.`_vfs_ta_2592000000000`,
    `_vfs_a0_g0_tiles`.`_vfs_tile`,
    `_vfs_a0_g0_tiles`.`_vfs_mk`,
    `_vfs_a0_g0_tiles`.`_vfs_n0`,
    `_vfs_a0_g0_tiles`.`_vfs_s1`,
    `_vfs_a0_g0_tiles`.`_vfs_r1`,
    `_vfs_a0_g0_tiles`.`_vfs_n2`,
    `_vfs_a0_g0_tiles`.`_vfs_s2`,
    `_vfs_a0_g0_tiles`.`_vfs_r2`,
    `_vfs_a0_g0_tiles`.`_vfs_n3`
  FROM `_vfs_a0_g0_probe`
  INNER JOIN VALUES
    (1),
    (2),
    (3),
    (4),
    (5),
    (6),
    (7),
    (8),
    (9),
    (10),
    (11),
    (12),
    (13),
    (14),
    (15),
    (16),
    (17),
    (18),
    (19),
    (20),
    (21),
    (22),
    (23),
    (24),
    (25),
    (26),
    (27),
    (28),
    (29),
    (30) AS `_vfs_n`(`_vfs_i`)
    ON (
      `_vfs_a0_g0_probe`.`_vfs_ta_2592000000000` + `_vfs_n`.`_vfs_i`
    ) < `_vfs_a0_g0_probe`.`_vfs_tt`
    AND `_vfs_a0_g0_probe`.`_vfs_dense`
  INNER JOIN `_vfs_a0_g0_tiles`
    ON `_vfs_a0_g0_probe`.`_vfs_k0` = `_vfs_a0_g0_tiles`.`_vfs_k0`
    AND `_vfs_a0_g0_tiles`.`_vfs_tile` = (
      `_vfs_a0_g0_probe`.`_vfs_ta_2592000000000` + `_vfs_n`.`_vfs_i`
    )
), `_vfs_a0_g0_late` AS (
  SELECT
    *
  FROM `_vfs_a0_g0_tiles`
  WHERE
    `_vfs_mk` > CASE
      WHEN (
        `_vfs_tile` + 2
      ) >= 1
      THEN (
        `_vfs_tile` + 2
      ) * 86400000000
      WHEN (
        `_vfs_tile` + 2
      ) = 0
      THEN 1 - 86400000000
      ELSE (
        `_vfs_tile` + 1
      ) * 86400000000 + 1
    END
), `_vfs_a0_g0_fetch` AS (
  SELECT
    `_vfs_a0_g0_probe`.`_vfs_row`,
    `_vfs_a0_g0_probe`.`_vfs_k0`,
    `_vfs_a0_g0_probe`.`_vfs_t`,
    `_vfs_a0_g0_probe`.`_vfs_tt`,
    `_vfs_a0_g0_probe`.`_vfs_ta_604800000000`,
    `_vfs_a0_g0_probe`.`_vfs_ta_2592000000000`,
    `_vfs_a0_g0_probe`.`_vfs_tt` AS `_vfs_tile`
  FROM `_vfs_a0_g0_probe`
  WHERE
    `_vfs_a0_g0_probe`.`_vfs_dense`
  UNION
  SELECT
    `_vfs_a0_g0_probe`.`_vfs_row`,
    `_vfs_a0_g0_probe`.`_vfs_k0`,
    `_vfs_a0_g0_probe`.`_vfs_t`,
    `_vfs_a0_g0_probe`.`_vfs_tt`,
    `_vfs_a0_g0_probe`.`_vfs_ta_604800000000`,
    `_vfs_a0_g0_probe`.`_vfs_ta_2592000000000`,
    `_vfs_a0_g0_probe`.`_vfs_ta_604800000000` AS `_vfs_tile`
  FROM `_vfs_a0_g0_probe`
  WHERE
    `_vfs_a0_g0_probe`.`_vfs_dense`
  UNION
  SELECT
    `_vfs_a0_g0_probe`.`_vfs_row`,
    `_vfs_a0_g0_probe`.`_vfs_k0`,
    `_vfs_a0_g0_probe`.`_vfs_t`,
    `_vfs_a0_g0_probe`.`_vfs_tt`,
    `_vfs_a0_g0_probe`.`_vfs_ta_604800000000`,
    `_vfs_a0_g0_probe`.`_vfs_ta_2592000000000`,
    `_vfs_a0_g0_probe`.`_vfs_ta_2592000000000` AS `_vfs_tile`
  FROM `_vfs_a0_g0_probe`
  WHERE
    `_vfs_a0_g0_probe`.`_vfs_dense`
  UNION
  SELECT
    `_vfs_a0_g0_probe`.`_vfs_row`,
    `_vfs_a0_g0_probe`.`_vfs_k0`,
    `_vfs_a0_g0_probe`.`_vfs_t`,
    `_vfs_a0_g0_probe`.`_vfs_tt`,
    `_vfs_a0_g0_probe`.`_vfs_ta_604800000000`,
    `_vfs_a0_g0_probe`.`_vfs_ta_2592000000000`,
    `_vfs_a0_g0_tiles`.`_vfs_tile` AS `_vfs_tile`
  FROM `_vfs_a0_g0_probe`
  INNER JOIN `_vfs_a0_g0_tiles`
    ON `_vfs_a0_g0_probe`.`_vfs_k0` = `_vfs_a0_g0_tiles`.`_vfs_k0`
    AND `_vfs_a0_g0_tiles`.`_vfs_tile` = (
      `_vfs_a0_g0_probe`.`_vfs_tt` - 1
    )
  WHERE
    `_vfs_a0_g0_tiles`.`_vfs_tile` > `_vfs_a0_g0_probe`.`_vfs_ta_2592000000000`
    AND `_vfs_a0_g0_tiles`.`_vfs_mk` > `_vfs_a0_g0_probe`.`_vfs_t`
    AND `_vfs_a0_g0_probe`.`_vfs_dense`
  UNION
  SELECT
    `_vfs_a0_g0_probe`.`_vfs_row`,
    `_vfs_a0_g0_probe`.`_vfs_k0`,
    `_vfs_a0_g0_probe`.`_vfs_t`,
    `_vfs_a0_g0_probe`.`_vfs_tt`,
    `_vfs_a0_g0_probe`.`_vfs_ta_604800000000`,
    `_vfs_a0_g0_probe`.`_vfs_ta_2592000000000`,
    `_vfs_a0_g0_late`.`_vfs_tile` AS `_vfs_tile`
  FROM `_vfs_a0_g0_probe`
  INNER JOIN `_vfs_a0_g0_late`
    ON `_vfs_a0_g0_probe`.`_vfs_k0` = `_vfs_a0_g0_late`.`_vfs_k0`
    AND `_vfs_a0_g0_late`.`_vfs_tile` < (
      `_vfs_a0_g0_probe`.`_vfs_tt` - 1
    )
  WHERE
    `_vfs_a0_g0_late`.`_vfs_tile` > `_vfs_a0_g0_probe`.`_vfs_ta_2592000000000`
    AND `_vfs_a0_g0_late`.`_vfs_mk` > `_vfs_a0_g0_probe`.`_vfs_t`
    AND `_vfs_a0_g0_probe`.`_vfs_dense`
), `_vfs_a0_g0_fetchmk` AS (
  SELECT
    `_vfs_a0_g0_fetch`.*,
    `_vfs_a0_g0_tiles`.`_vfs_mk`
  FROM `_vfs_a0_g0_fetch`
  LEFT JOIN `_vfs_a0_g0_tiles`
    ON `_vfs_a0_g0_fetch`.`_vfs_k0` = `_vfs_a0_g0_tiles`.`_vfs_k0`
    AND `_vfs_a0_g0_fetch`.`_vfs_tile` = `_vfs_a0_g0_tiles`.`_vfs_tile`
), `_vfs_a0_g0_raw` AS (
  SELECT
    `_vfs_a0_g0_fetchmk`.`_vfs_row`,
    `_vfs_a0_g0_fetchmk`.`_vfs_t`,
    `_vfs_a0_g0_fetchmk`.`_vfs_tile`,
    `_vfs_a0_g0_fetchmk`.`_vfs_tt`,
    `_vfs_a0_g0_fetchmk`.`_vfs_ta_604800000000`,
    `_vfs_a0_g0_fetchmk`.`_vfs_ta_2592000000000`,
    `_vfs_a0_g0_fetchmk`.`_vfs_mk`,
    `_vfs_scan`.`_vfs_e`,
    `_vfs_scan`.`_vfs_k`,
    `_vfs_scan`.`_vfs_c`,
    `_vfs_scan`.`_vfs_m0`,
    `_vfs_scan`.`_vfs_m1`,
    `_vfs_scan`.`_vfs_m2`,
    `_vfs_scan`.`_vfs_m3`
  FROM `_vfs_a0_g0_fetchmk`
  INNER JOIN (
    SELECT
      `_vfs_source`.`customer_id` AS `_vfs_k0`,
      UNIX_MICROS(`_vfs_source`.`ordered_at`) AS `_vfs_e`,
      CASE
        WHEN UNIX_MICROS(`_vfs_source`.`loaded_at`) > UNIX_MICROS(`_vfs_source`.`ordered_at`)
        THEN UNIX_MICROS(`_vfs_source`.`loaded_at`)
        ELSE UNIX_MICROS(`_vfs_source`.`ordered_at`)
      END AS `_vfs_k`,
      UNIX_MICROS(`_vfs_source`.`loaded_at`) AS `_vfs_c`,
      (
        UNIX_MICROS(`_vfs_source`.`ordered_at`)
      ) DIV 86400000000 AS `_vfs_tile_86400000000`,
      (
        UNIX_MICROS(`_vfs_source`.`ordered_at`)
      ) DIV 2592000000000 AS `_vfs_tile_2592000000000`,
      `_vfs_source`.`order_id` AS `_vfs_m0`,
      CASE
        WHEN `_vfs_source`.`payment_method` <> 'invoice'
        THEN `_vfs_source`.`amount`
      END AS `_vfs_m1`,
      `_vfs_source`.`amount` AS `_vfs_m2`,
      CASE WHEN `_vfs_source`.`is_gift` = TRUE THEN `_vfs_source`.`order_id` END AS `_vfs_m3`
    FROM `orders` AS `_vfs_source`
    WHERE
      UNIX_MICROS(`_vfs_source`.`ordered_at`) > 1788177600000000
      AND CASE
        WHEN UNIX_MICROS(`_vfs_source`.`loaded_at`) > UNIX_MICROS(`_vfs_source`.`ordered_at`)
        THEN UNIX_MICROS(`_vfs_source`.`loaded_at`)
        ELSE UNIX_MICROS(`_vfs_source`.`ordered_at`)
      END <= 1790769600000000
  ) AS `_vfs_scan`
    ON `_vfs_a0_g0_fetchmk`.`_vfs_k0` = `_vfs_scan`.`_vfs_k0`
    AND `_vfs_scan`.`_vfs_tile_86400000000` = `_vfs_a0_g0_fetchmk`.`_vfs_tile`
    AND `_vfs_scan`.`_vfs_e` > (
      `_vfs_a0_g0_fetchmk`.`_vfs_t` - 2592000000000
    )
    AND `_vfs_scan`.`_vfs_k` <= `_vfs_a0_g0_fetchmk`.`_vfs_t`
), `_vfs_a0_g0_sfetch` AS (
  SELECT
    `_vfs_a0_g0_probe`.`_vfs_row`,
    `_vfs_a0_g0_probe`.`_vfs_k0`,
    `_vfs_a0_g0_probe`.`_vfs_t`,
    `_vfs_a0_g0_probe`.`_vfs_tt`,
    `_vfs_a0_g0_probe`.`_vfs_ta_604800000000`,
    `_vfs_a0_g0_probe`.`_vfs_ta_2592000000000`,
    `_vfs_a0_g0_probe`.`_vfs_bt` AS `_vfs_tile`
  FROM `_vfs_a0_g0_probe`
  WHERE
    NOT `_vfs_a0_g0_probe`.`_vfs_dense`
  UNION ALL
  SELECT
    `_vfs_a0_g0_probe`.`_vfs_row`,
    `_vfs_a0_g0_probe`.`_vfs_k0`,
    `_vfs_a0_g0_probe`.`_vfs_t`,
    `_vfs_a0_g0_probe`.`_vfs_tt`,
    `_vfs_a0_g0_probe`.`_vfs_ta_604800000000`,
    `_vfs_a0_g0_probe`.`_vfs_ta_2592000000000`,
    `_vfs_a0_g0_probe`.`_vfs_ba` AS `_vfs_tile`
  FROM `_vfs_a0_g0_probe`
  WHERE
    `_vfs_a0_g0_probe`.`_vfs_ba` <> `_vfs_a0_g0_probe`.`_vfs_bt`
    AND NOT `_vfs_a0_g0_probe`.`_vfs_dense`
), `_vfs_a0_g0_sraw` AS (
  SELECT
    `_vfs_a0_g0_sfetch`.`_vfs_row`,
    `_vfs_a0_g0_sfetch`.`_vfs_t`,
    `_vfs_scan`.`_vfs_e`,
    `_vfs_scan`.`_vfs_k`,
    `_vfs_scan`.`_vfs_c`,
    `_vfs_scan`.`_vfs_m0`,
    `_vfs_scan`.`_vfs_m1`,
    `_vfs_scan`.`_vfs_m2`,
    `_vfs_scan`.`_vfs_m3`
  FROM `_vfs_a0_g0_sfetch`
  INNER JOIN (
    SELECT
      `_vfs_source`.`customer_id` AS `_vfs_k0`,
      UNIX_MICROS(`_vfs_source`.`ordered_at`) AS `_vfs_e`,
      CASE
        WHEN UNIX_MICROS(`_vfs_source`.`loaded_at`) > UNIX_MICROS(`_vfs_source`.`ordered_at`)
        THEN UNIX_MICROS(`_vfs_source`.`loaded_at`)
        ELSE UNIX_MICROS(`_vfs_source`.`ordered_at`)
      END AS `_vfs_k`,
      UNIX_MICROS(`_vfs_source`.`loaded_at`) AS `_vfs_c`,
      (
        UNIX_MICROS(`_vfs_source`.`ordered_at`)
      ) DIV 86400000000 AS `_vfs_tile_86400000000`,
      (
        UNIX_MICROS(`_vfs_source`.`ordered_at`)
      ) DIV 2592000000000 AS `_vfs_tile_2592000000000`,
      `_vfs_source`.`order_id` AS `_vfs_m0`,
      CASE
        WHEN `_vfs_source`.`payment_method` <> 'invoice'
        THEN `_vfs_source`.`amount`
      END AS `_vfs_m1`,
      `_vfs_source`.`amount` AS `_vfs_m2`,
      CASE WHEN `_vfs_source`.`is_gift` = TRUE THEN `_vfs_source`.`order_id` END AS `_vfs_m3`
    FROM `orders` AS `_vfs_source`
    WHERE
      UNIX_MICROS(`_vfs_source`.`ordered_at`) > 1788177600000000
      AND CASE
        WHEN UNIX_MICROS(`_vfs_source`.`loaded_at`) > UNIX_MICROS(`_vfs_source`.`ordered_at`)
        THEN UNIX_MICROS(`_vfs_source`.`loaded_at`)
        ELSE UNIX_MICROS(`_vfs_source`.`ordered_at`)
      END <= 1790769600000000
  ) AS `_vfs_scan`
    ON `_vfs_a0_g0_sfetch`.`_vfs_k0` = `_vfs_scan`.`_vfs_k0`
    AND `_vfs_scan`.`_vfs_tile_2592000000000` = `_vfs_a0_g0_sfetch`.`_vfs_tile`
    AND `_vfs_scan`.`_vfs_e` > (
      `_vfs_a0_g0_sfetch`.`_vfs_t` - 2592000000000
    )
    AND `_vfs_scan`.`_vfs_k` <= `_vfs_a0_g0_sfetch`.`_vfs_t`
), `_vfs_a0_g0_pieces` AS (
  SELECT
    `_vfs_a0_g0_middle`.`_vfs_row`,
    `_vfs_a0_g0_middle`.`_vfs_tile` > `_vfs_a0_g0_middle`.`_vfs_ta_604800000000` AS `_vfs_in_604800000000`,
    `_vfs_a0_g0_middle`.`_vfs_tile` > `_vfs_a0_g0_middle`.`_vfs_ta_2592000000000` AS `_vfs_in_2592000000000`,
    `_vfs_a0_g0_middle`.`_vfs_n0`,
    `_vfs_a0_g0_middle`.`_vfs_s1`,
    `_vfs_a0_g0_middle`.`_vfs_r1`,
    `_vfs_a0_g0_middle`.`_vfs_n2`,
    `_vfs_a0_g0_middle`.`_vfs_s2`,
    `_vfs_a0_g0_middle`.`_vfs_r2`,
    `_vfs_a0_g0_middle`.`_vfs_n3`
  FROM `_vfs_a0_g0_middle`
  WHERE
    `_vfs_a0_g0_middle`.`_vfs_mk` <= `_vfs_a0_g0_middle`.`_vfs_t`
  UNION ALL
  SELECT
    `_vfs_a0_g0_raw`.`_vfs_row`,
    `_vfs_a0_g0_raw`.`_vfs_e` > (
      `_vfs_a0_g0_raw`.`_vfs_t` - 604800000000
    )
    AND NOT (
      `_vfs_a0_g0_raw`.`_vfs_tile` > `_vfs_a0_g0_raw`.`_vfs_ta_604800000000`
      AND `_vfs_a0_g0_raw`.`_vfs_tile` < `_vfs_a0_g0_raw`.`_vfs_tt`
      AND `_vfs_a0_g0_raw`.`_vfs_mk` <= `_vfs_a0_g0_raw`.`_vfs_t`
    ) AS `_vfs_in_604800000000`,
    `_vfs_a0_g0_raw`.`_vfs_e` > (
      `_vfs_a0_g0_raw`.`_vfs_t` - 2592000000000
    )
    AND NOT (
      `_vfs_a0_g0_raw`.`_vfs_tile` > `_vfs_a0_g0_raw`.`_vfs_ta_2592000000000`
      AND `_vfs_a0_g0_raw`.`_vfs_tile` < `_vfs_a0_g0_raw`.`_vfs_tt`
      AND `_vfs_a0_g0_raw`.`_vfs_mk` <= `_vfs_a0_g0_raw`.`_vfs_t`
    ) AS `_vfs_in_2592000000000`,
    CASE WHEN NOT `_vfs_a0_g0_raw`.`_vfs_m0` IS NULL THEN 1 ELSE 0 END AS `_vfs_n0`,
    CASE
      WHEN ABS(`_vfs_a0_g0_raw`.`_vfs_m1`) < 9223372036854775808
      THEN CAST(`_vfs_a0_g0_raw`.`_vfs_m1` AS DECIMAL(38, 12))
      WHEN NOT `_vfs_a0_g0_raw`.`_vfs_m1` IS NULL
      THEN 0
    END AS `_vfs_s1`,
    CASE
      WHEN NOT ABS(`_vfs_a0_g0_raw`.`_vfs_m1`) < 9223372036854775808
      THEN `_vfs_a0_g0_raw`.`_vfs_m1`
    END AS `_vfs_r1`,
    CASE WHEN NOT `_vfs_a0_g0_raw`.`_vfs_m2` IS NULL THEN 1 ELSE 0 END AS `_vfs_n2`,
    CASE
      WHEN ABS(`_vfs_a0_g0_raw`.`_vfs_m2`) < 9223372036854775808
      THEN CAST(`_vfs_a0_g0_raw`.`_vfs_m2` AS DECIMAL(38, 12))
      WHEN NOT `_vfs_a0_g0_raw`.`_vfs_m2` IS NULL
      THEN 0
    END AS `_vfs_s2`,
    CASE
      WHEN NOT ABS(`_vfs_a0_g0_raw`.`_vfs_m2`) < 9223372036854775808
      THEN `_vfs_a0_g0_raw`.`_vfs_m2`
    END AS `_vfs_r2`,
    CASE WHEN NOT `_vfs_a0_g0_raw`.`_vfs_m3` IS NULL THEN 1 ELSE 0 END AS `_vfs_n3`
  FROM `_vfs_a0_g0_raw`
  UNION ALL
  SELECT
    `_vfs_a0_g0_sraw`.`_vfs_row`,
    `_vfs_a0_g0_sraw`.`_vfs_e` > (
      `_vfs_a0_g0_sraw`.`_vfs_t` - 604800000000
    ) AS `_vfs_in_604800000000`,
    `_vfs_a0_g0_sraw`.`_vfs_e` > (
      `_vfs_a0_g0_sraw`.`_vfs_t` - 2592000000000
    ) AS `_vfs_in_2592000000000`,
    CASE WHEN NOT `_vfs_a0_g0_sraw`.`_vfs_m0` IS NULL THEN 1 ELSE 0 END AS `_vfs_n0`,
    CASE
      WHEN ABS(`_vfs_a0_g0_sraw`.`_vfs_m1`) < 9223372036854775808
      THEN CAST(`_vfs_a0_g0_sraw`.`_vfs_m1` AS DECIMAL(38, 12))
      WHEN NOT `_vfs_a0_g0_sraw`.`_vfs_m1` IS NULL
      THEN 0
    END AS `_vfs_s1`,
    CASE
      WHEN NOT ABS(`_vfs_a0_g0_sraw`.`_vfs_m1`) < 9223372036854775808
      THEN `_vfs_a0_g0_sraw`.`_vfs_m1`
    END AS `_vfs_r1`,
    CASE WHEN NOT `_vfs_a0_g0_sraw`.`_vfs_m2` IS NULL THEN 1 ELSE 0 END AS `_vfs_n2`,
    CASE
      WHEN ABS(`_vfs_a0_g0_sraw`.`_vfs_m2`) < 9223372036854775808
      THEN CAST(`_vfs_a0_g0_sraw`.`_vfs_m2` AS DECIMAL(38, 12))
      WHEN NOT `_vfs_a0_g0_sraw`.`_vfs_m2` IS NULL
      THEN 0
    END AS `_vfs_s2`,
    CASE
      WHEN NOT ABS(`_vfs_a0_g0_sraw`.`_vfs_m2`) < 9223372036854775808
      THEN `_vfs_a0_g0_sraw`.`_vfs_m2`
    END AS `_vfs_r2`,
    CASE WHEN NOT `_vfs_a0_g0_sraw`.`_vfs_m3` IS NULL THEN 1 ELSE 0 END AS `_vfs_n3`
  FROM `_vfs_a0_g0_sraw`
), `_vfs_a0_g0_agg` AS (
  SELECT
    `_vfs_row`,
    SUM(CASE WHEN `_vfs_in_604800000000` THEN `_vfs_n0` END) AS `_vfs_o0`,
    CAST(SUM(CAST(CASE WHEN `_vfs_in_2592000000000` THEN `_vfs_s1` END AS DECIMAL(38, 12))) AS DOUBLE) + COALESCE(SUM(CASE WHEN `_vfs_in_2592000000000` THEN `_vfs_r1` END), 0) AS `_vfs_o1`,
    CAST(CAST(SUM(CAST(CASE WHEN `_vfs_in_2592000000000` THEN `_vfs_s2` END AS DECIMAL(38, 12))) AS DOUBLE) + COALESCE(SUM(CASE WHEN `_vfs_in_2592000000000` THEN `_vfs_r2` END), 0) AS DOUBLE) / NULLIF(SUM(CASE WHEN `_vfs_in_2592000000000` THEN `_vfs_n2` END), 0) AS `_vfs_o2`,
    SUM(CASE WHEN `_vfs_in_2592000000000` THEN `_vfs_n3` END) AS `_vfs_o3`
  FROM `_vfs_a0_g0_pieces`
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
  LEFT JOIN `_vfs_a0_g0_agg` AS `_vfs_p0`
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
