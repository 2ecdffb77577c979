WITH "_vfs_entity_rows" AS (
  SELECT
    *,
    CAST("event_timestamp" AS TIMESTAMPNTZ) AS "_vfs_time"
  FROM "_vfs_entities"
), "_vfs_bounds" AS (
  SELECT
    MIN("_vfs_time") AS "_vfs_low",
    MAX("_vfs_time") AS "_vfs_high"
  FROM "_vfs_entity_rows"
), "_vfs_scan_0" AS (
  SELECT
    "_vfs_source"."CUSTOMER_ID" AS "CUSTOMER_ID",
    "_vfs_source"."ORDERED_AT" AS "_vfs_event",
    "_vfs_source"."LOADED_AT" AS "_vfs_created",
    CASE
      WHEN "_vfs_source"."LOADED_AT" > "_vfs_source"."ORDERED_AT"
      THEN "_vfs_source"."LOADED_AT"
      ELSE "_vfs_source"."ORDERED_AT"
    END AS "_vfs_known",
    "_vfs_source"."AMOUNT" AS "AMOUNT",
    "_vfs_source"."QUANTITY" AS "QUANTITY",
    "_vfs_source"."IS_GIFT" AS "IS_GIFT"
  FROM "ORDERS" AS "_vfs_source"
  CROSS JOIN "_vfs_bounds"
  WHERE
    "_vfs_source"."ORDERED_AT" <= "_vfs_bounds"."_vfs_high"
    AND "_vfs_source"."ORDERED_AT" >= "_vfs_bounds"."_vfs_low" - INTERVAL '2592000 SECOND'
    AND COALESCE("_vfs_source"."LOADED_AT", "_vfs_source"."ORDERED_AT") <= "_vfs_bounds"."_vfs_high"
), "_vfs_best_0" AS (
  SELECT
    *
  FROM "_vfs_scan_0"
  QUALIFY
    "_vfs_event" = MAX("_vfs_event") OVER (
      PARTITION BY "_vfs_scan_0"."CUSTOMER_ID"
      ORDER BY "_vfs_known" ASC
      RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
    )
    AND "_vfs_created" IS NOT DISTINCT FROM MAX("_vfs_created") OVER (
      PARTITION BY "_vfs_scan_0"."CUSTOMER_ID", "_vfs_event"
      ORDER BY "_vfs_known" ASC
      RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
    )
), "_vfs_scan_1" AS (
  SELECT
    "_vfs_source"."CUSTOMER_ID" AS "CUSTOMER_ID",
    "_vfs_source"."VIEWED_AT" AS "_vfs_event",
    "_vfs_source"."LOADED_AT" AS "_vfs_created",
    CASE
      WHEN "_vfs_source"."LOADED_AT" > "_vfs_source"."VIEWED_AT"
      THEN "_vfs_source"."LOADED_AT"
      ELSE "_vfs_source"."VIEWED_AT"
    END AS "_vfs_known",
    "_vfs_source"."DWELL_SECONDS" AS "DWELL_SECONDS",
    "_vfs_source"."DEVICE" AS "DEVICE"
  FROM (
    SELECT
      "CUSTOMER_ID",
      "VIEWED_AT",
      "LOADED_AT",
      "DWELL_SECONDS",
      "DEVICE",
      "PRODUCT_ID" AS "LAST_VIEWED_PRODUCT_ID"
    FROM "PAGE_VIEWS"
  ) AS "_vfs_source"
  CROSS JOIN "_vfs_bounds"
  WHERE
    "_vfs_source"."VIEWED_AT" <= "_vfs_bounds"."_vfs_high"
    AND "_vfs_source"."VIEWED_AT" >= "_vfs_bounds"."_vfs_low" - INTERVAL '604800 SECOND'
    AND COALESCE("_vfs_source"."LOADED_AT", "_vfs_source"."VIEWED_AT") <= "_vfs_bounds"."_vfs_high"
), "_vfs_best_1" AS (
  SELECT
    *
  FROM "_vfs_scan_1"
  QUALIFY
    "_vfs_event" = MAX("_vfs_event") OVER (
      PARTITION BY "_vfs_scan_1"."CUSTOMER_ID"
      ORDER BY "_vfs_known" ASC
      RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
    )
    AND "_vfs_created" IS NOT DISTINCT FROM MAX("_vfs_created") OVER (
      PARTITION BY "_vfs_scan_1"."CUSTOMER_ID", "_vfs_event"
      ORDER BY "_vfs_known" ASC
      RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
    )
), "_vfs_scan_2" AS (
  SELECT
    "_vfs_source"."CUSTOMER_ID" AS "CUSTOMER_ID",
    "_vfs_source"."DAY" AS "_vfs_event",
    "_vfs_source"."LOADED_AT" AS "_vfs_created",
    CASE
      WHEN "_vfs_source"."LOADED_AT" > "_vfs_source"."DAY"
      THEN "_vfs_source"."LOADED_AT"
      ELSE "_vfs_source"."DAY"
    END AS "_vfs_known",
    "_vfs_source"."ORDERS_7D" AS "ORDERS_7D",
    "_vfs_source"."SPEND_7D" AS "SPEND_7D",
    "_vfs_source"."VIEWS_7D" AS "VIEWS_7D",
    "_vfs_source"."LAST_DEVICE" AS "LAST_DEVICE",
    "_vfs_source"."LAST_ORDER_AT" AS "LAST_ORDER_AT"
  FROM "CUSTOMER_DAILY_STATS" AS "_vfs_source"
  CROSS JOIN "_vfs_bounds"
  WHERE
    "_vfs_source"."DAY" <= "_vfs_bounds"."_vfs_high"
    AND "_vfs_source"."DAY" >= "_vfs_bounds"."_vfs_low" - INTERVAL '259200 SECOND'
    AND COALESCE("_vfs_source"."LOADED_AT", "_vfs_source"."DAY") <= "_vfs_bounds"."_vfs_high"
), "_vfs_best_2" AS (
  SELECT
    *
  FROM "_vfs_scan_2"
  QUALIFY
    "_vfs_event" = MAX("_vfs_event") OVER (
      PARTITION BY "_vfs_scan_2"."CUSTOMER_ID"
      ORDER BY "_vfs_known" ASC
      RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
    )
    AND "_vfs_created" IS NOT DISTINCT FROM MAX("_vfs_created") OVER (
      PARTITION BY "_vfs_scan_2"."CUSTOMER_ID", "_vfs_event"
      ORDER BY "_vfs_known" ASC
      RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
    )
), "_vfs_scan_3" AS (
  SELECT
    "_vfs_source"."CUSTOMER_ID" AS "CUSTOMER_ID",
    "_vfs_source"."SIGNUP_AT" AS "_vfs_event",
    "_vfs_source"."LOADED_AT" AS "_vfs_created",
    CASE
      WHEN "_vfs_source"."LOADED_AT" > "_vfs_source"."SIGNUP_AT"
      THEN "_vfs_source"."LOADED_AT"
      ELSE "_vfs_source"."SIGNUP_AT"
    END AS "_vfs_known",
    "_vfs_source"."COUNTRY" AS "COUNTRY",
    "_vfs_source"."IS_SUBSCRIBED" AS "IS_SUBSCRIBED"
  FROM "CUSTOMERS" AS "_vfs_source"
  CROSS JOIN "_vfs_bounds"
  WHERE
    "_vfs_source"."SIGNUP_AT" <= "_vfs_bounds"."_vfs_high"
    AND COALESCE("_vfs_source"."LOADED_AT", "_vfs_source"."SIGNUP_AT") <= "_vfs_bounds"."_vfs_high"
), "_vfs_best_3" AS (
  SELECT
    *
  FROM "_vfs_scan_3"
  QUALIFY
    "_vfs_event" = MAX("_vfs_event") OVER (
      PARTITION BY "_vfs_scan_3"."CUSTOMER_ID"
      ORDER BY "_vfs_known" ASC
      RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
    )
    AND "_vfs_created" IS NOT DISTINCT FROM MAX("_vfs_created") OVER (
      PARTITION BY "_vfs_scan_3"."CUSTOMER_ID", "_vfs_event"
      ORDER BY "_vfs_known" ASC
      RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
    )
), "_vfs_scan_4" AS (
  SELECT
    "_vfs_source"."PRODUCT_ID" AS "PRODUCT_ID",
    "_vfs_source"."UPDATED_AT" AS "_vfs_event",
    "_vfs_source"."LOADED_AT" AS "_vfs_created",
    CASE
      WHEN "_vfs_source"."LOADED_AT" > "_vfs_source"."UPDATED_AT"
      THEN "_vfs_source"."LOADED_AT"
      ELSE "_vfs_source"."UPDATED_AT"
    END AS "_vfs_known",
    "_vfs_source"."CATEGORY" AS "CATEGORY",
    "_vfs_source"."PRICE" AS "PRICE",
    "_vfs_source"."IN_STOCK" AS "IN_STOCK"
  FROM "PRODUCTS" AS "_vfs_source"
  CROSS JOIN "_vfs_bounds"
  WHERE
    "_vfs_source"."UPDATED_AT" <= "_vfs_bounds"."_vfs_high"
    AND COALESCE("_vfs_source"."LOADED_AT", "_vfs_source"."UPDATED_AT") <= "_vfs_bounds"."_vfs_high"
), "_vfs_best_4" AS (
  SELECT
    *
  FROM "_vfs_scan_4"
  QUALIFY
    "_vfs_event" = MAX("_vfs_event") OVER (
      PARTITION BY "_vfs_scan_4"."PRODUCT_ID"
      ORDER BY "_vfs_known" ASC
      RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
    )
    AND "_vfs_created" IS NOT DISTINCT FROM MAX("_vfs_created") OVER (
      PARTITION BY "_vfs_scan_4"."PRODUCT_ID", "_vfs_event"
      ORDER BY "_vfs_known" ASC
      RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
    )
), "_vfs_scan_5" AS (
  SELECT
    "_vfs_source"."CUSTOMER_ID" AS "CUSTOMER_ID",
    "_vfs_source"."PRODUCT_ID" AS "PRODUCT_ID",
    "_vfs_source"."ORDERED_AT" AS "_vfs_event",
    "_vfs_source"."LOADED_AT" AS "_vfs_created",
    CASE
      WHEN "_vfs_source"."LOADED_AT" > "_vfs_source"."ORDERED_AT"
      THEN "_vfs_source"."LOADED_AT"
      ELSE "_vfs_source"."ORDERED_AT"
    END AS "_vfs_known",
    "_vfs_source"."LAST_BOUGHT_AT" AS "LAST_BOUGHT_AT",
    "_vfs_source"."LAST_BOUGHT_QUANTITY" AS "LAST_BOUGHT_QUANTITY"
  FROM (
    SELECT
      "CUSTOMER_ID",
      "PRODUCT_ID",
      "ORDERED_AT",
      "LOADED_AT",
      "ORDERED_AT" AS "LAST_BOUGHT_AT",
      "QUANTITY" AS "LAST_BOUGHT_QUANTITY"
    FROM "ORDERS"
  ) AS "_vfs_source"
  CROSS JOIN "_vfs_bounds"
  WHERE
    "_vfs_source"."ORDERED_AT" <= "_vfs_bounds"."_vfs_high"
    AND "_vfs_source"."ORDERED_AT" >= "_vfs_bounds"."_vfs_low" - INTERVAL '7776000 SECOND'
    AND COALESCE("_vfs_source"."LOADED_AT", "_vfs_source"."ORDERED_AT") <= "_vfs_bounds"."_vfs_high"
), "_vfs_best_5" AS (
  SELECT
    *
  FROM "_vfs_scan_5"
  QUALIFY
    "_vfs_event" = MAX("_vfs_event") OVER (
      PARTITION BY "_vfs_scan_5"."CUSTOMER_ID", "_vfs_scan_5"."PRODUCT_ID"
      ORDER BY "_vfs_known" ASC
      RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
    )
    AND "_vfs_created" IS NOT DISTINCT FROM MAX("_vfs_created") OVER (
      PARTITION BY "_vfs_scan_5"."CUSTOMER_ID", "_vfs_scan_5"."PRODUCT_ID", "_vfs_event"
      ORDER BY "_vfs_known" ASC
      RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
    )
), "_vfs_a6_ent" AS (
  SELECT
    "_vfs_entity"."_vfs_row",
    "_vfs_entity"."customer_id" AS "_vfs_k0",
    DATE_PART(EPOCH_MICROSECOND, "_vfs_entity"."event_timestamp") AS "_vfs_t"
  FROM "_vfs_entities" AS "_vfs_entity"
), "_vfs_a6_g0_routes" AS (
  SELECT
    "_vfs_k0",
    (
      CAST(COUNT(*) AS DOUBLE) * 2592000000000
    ) >= (
      2.0 * CAST(MAX("_vfs_t") - MIN("_vfs_t") + 2592000000000 AS DOUBLE)
    ) AS "_vfs_dense",
    MIN("_vfs_t") AS "_vfs_lo",
    MAX("_vfs_t") AS "_vfs_hi"
  FROM "_vfs_a6_ent"
  GROUP BY
    "_vfs_k0"
), "_vfs_a6_g0_probe" AS (
  SELECT
    "_vfs_a6_ent".*,
    CAST((
      "_vfs_a6_ent"."_vfs_t" - "_vfs_a6_ent"."_vfs_t" % 86400000000
    ) / 86400000000 AS BIGINT) AS "_vfs_tt",
    CAST((
      (
        "_vfs_a6_ent"."_vfs_t" - 604800000000
      ) - (
        "_vfs_a6_ent"."_vfs_t" - 604800000000
      ) % 86400000000
    ) / 86400000000 AS BIGINT) AS "_vfs_ta_604800000000",
    CAST((
      (
        "_vfs_a6_ent"."_vfs_t" - 2592000000000
      ) - (
        "_vfs_a6_ent"."_vfs_t" - 2592000000000
      ) % 86400000000
    ) / 86400000000 AS BIGINT) AS "_vfs_ta_2592000000000",
    "_vfs_a6_g0_routes"."_vfs_dense",
    CAST((
      "_vfs_a6_ent"."_vfs_t" - "_vfs_a6_ent"."_vfs_t" % 2592000000000
    ) / 2592000000000 AS BIGINT) AS "_vfs_bt",
    CAST((
      (
        "_vfs_a6_ent"."_vfs_t" - 2592000000000
      ) - (
        "_vfs_a6_ent"."_vfs_t" - 2592000000000
      ) % 2592000000000
    ) / 2592000000000 AS BIGINT) AS "_vfs_ba"
  FROM "_vfs_a6_ent"
  INNER JOIN "_vfs_a6_g0_routes"
    ON "_vfs_a6_ent"."_vfs_k0" = "_vfs_a6_g0_routes"."_vfs_k0"
), "_vfs_a6_g0_tiles" AS (
  SELECT
    "_vfs_scan"."_vfs_k0",
    "_vfs_scan"."_vfs_tile_86400000000" AS "_vfs_tile",
    MAX("_vfs_scan"."_vfs_k") AS "_vfs_mk",
    COUNT("_vfs_scan"."_vfs_m0") AS "_vfs_n0",
    SUM(
      CAST(CASE
        WHEN ABS("_vfs_scan"."_vfs_m1") < 9223372036854775808
        THEN CAST("_vfs_scan"."_vfs_m1" AS DECIMAL(38, 12))
        WHEN NOT "_vfs_scan"."_vfs_m1" IS NULL
        THEN 0
      END AS DECIMAL(38, 12))
    ) AS "_vfs_s1",
    SUM(
      CASE
        WHEN NOT ABS("_vfs_scan"."_vfs_m1") < 9223372036854775808
        THEN "_vfs_scan"."_vfs_m1"
      END
    ) AS "_vfs_r1",
    COUNT("_vfs_scan"."_vfs_m2") AS "_vfs_n2",
    SUM(
      CAST(CASE
        WHEN ABS("_vfs_scan"."_vfs_m2") < 9223372036854775808
        THEN CAST("_vfs_scan"."_vfs_m2" AS DECIMAL(38, 12))
        WHEN NOT "_vfs_scan"."_vfs_m2" IS NULL
        THEN 0
      END AS DECIMAL(38, 12))
    ) AS "_vfs_s2",
    SUM(
      CASE
        WHEN NOT ABS("_vfs_scan"."_vfs_m2") < 9223372036854775808
        THEN "_vfs_scan"."_vfs_m2"
      END
    ) AS "_vfs_r2",
    COUNT("_vfs_scan"."_vfs_m3") AS "_vfs_n3"
  FROM (
    SELECT
      "_vfs_source"."CUSTOMER_ID" AS "_vfs_k0",
      DATE_PART(EPOCH_MICROSECOND, "_vfs_source"."ORDERED_AT") AS "_vfs_e",
      CASE
        WHEN DATE_PART(EPOCH_MICROSECOND, "_vfs_source"."LOADED_AT") > DATE_PART(EPOCH_MICROSECOND, "_vfs_source"."ORDERED_AT")
        THEN DATE_PART(EPOCH_MICROSECOND, "_vfs_source"."LOADED_AT")
        ELSE DATE_PART(EPOCH_MICROSECOND, "_vfs_source"."ORDERED_AT")
      END AS "_vfs_k",
      DATE_PART(EPOCH_MICROSECOND, "_vfs_source"."LOADED_AT") AS "_vfs_c",
      CAST((
        (
          DATE_PART(EPOCH_MICROSECOND, "_vfs_source"."ORDERED_AT")
        ) - (
          DATE_PART(EPOCH_MICROSECOND, "_vfs_source"."ORDERED_AT")
        ) % 86400000000
      ) / 86400000000 AS BIGINT) AS "_vfs_tile_86400000000",
      CAST((
        (
          DATE_PART(EPOCH_MICROSECOND, "_vfs_source"."ORDERED_AT")
        ) - (
          DATE_PART(EPOCH_MICROSECOND, "_vfs_source"."ORDERED_AT")
        ) % 2592000000000
      ) / 2592000000000 AS BIGINT) AS "_vfs_tile_2592000000000",
      "_vfs_source"."ORDER_ID" AS "_vfs_m0",
      CASE
        WHEN "_vfs_source"."PAYMENT_METHOD" <> 'invoice'
        THEN "_vfs_source"."AMOUNT"
      END AS "_vfs_m1",
      "_vfs_source"."AMOUNT" AS "_vfs_m2",
      CASE WHEN "_vfs_source"."IS_GIFT" = TRUE THEN "_vfs_source"."ORDER_ID" END AS "_vfs_m3"
    FROM "ORDERS" AS "_vfs_source"
  ) AS "_vfs_scan"
  INNER JOIN "_vfs_a6_g0_routes"
    ON "_vfs_scan"."_vfs_k0" = "_vfs_a6_g0_routes"."_vfs_k0"
    AND "_vfs_a6_g0_routes"."_vfs_dense"
    AND "_vfs_scan"."_vfs_e" > (
      "_vfs_a6_g0_routes"."_vfs_lo" - 2592000000000
    )
    AND "_vfs_scan"."_vfs_e" <= "_vfs_a6_g0_routes"."_vfs_hi"
    AND "_vfs_scan"."_vfs_k" <= "_vfs_a6_g0_routes"."_vfs_hi"
  GROUP BY
    "_vfs_scan"."_vfs_k0",
    "_vfs_scan"."_vfs_tile_86400000000"
), "_vfs_a6_g0_middle" AS (
  SELECT
    "_vfs_a6_g0_probe"."_vfs_row",
    "_vfs_a6_g0_probe"."_vfs_k0",
    "_vfs_a6_g0_probe"."_vfs_t",
    "_vfs_a6_g0_probe"."_vfs_tt",
    "_vfs_a6_g0_probe"."_vfs_ta_604800000000",
    "_vfs_a6_g0_probe"."_vfs_ta_2592000000000",
    "_vfs_a6_g0_tiles"."_vfs_tile",
    "_vfs_a6_g0_tiles"."_vfs_mk",
    "_vfs_a6_g0_tiles"."_vfs_n0",
    "_vfs_a6_g0_tiles"."_vfs_s1",
    "_vfs_a6_g0_tiles"."_vfs_r1",
    "_vfs_a6_g0_tiles"."_vfs_n2",
    "_vfs_a6_g0_tiles"."_vfs_s2",
    "_vfs_a6_g0_tiles"."_vfs_r2",
    "_vfs_a6_g0_tiles"."_vfs_n3"
  FROM "_vfs_a6_g0_probe"
  INNER JOIN (VALUES
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
    (30)) AS "_vfs_n"("_vfs_i")
    ON (
      "_vfs_a6_g0_probe"."_vfs_ta_2592000000000" + "_vfs_n"."_vfs_i"
    ) < "_vfs_a6_g0_probe"."_vfs_tt"
    AND "_vfs_a6_g0_probe"."_vfs_dense"
  INNER JOIN "_vfs_a6_g0_tiles"
    ON "_vfs_a6_g0_probe"."_vfs_k0" = "_vfs_a6_g0_tiles"."_vfs_k0"
    AND "_vfs_a6_g0_tiles"."_vfs_tile" = (
      "_vfs_a6_g0_probe"."_vfs_ta_2592000000000" + "_vfs_n"."_vfs_i"
    )
), "_vfs_a6_g0_late" AS (
  SELECT
    *
  FROM "_vfs_a6_g0_tiles"
  WHERE
    "_vfs_mk" > CASE
      WHEN (
        "_vfs_tile" + 2
      ) >= 1
      THEN (
        "_vfs_tile" + 2
      ) * 86400000000
      WHEN (
        "_vfs_tile" + 2
      ) = 0
      THEN 1 - 86400000000
      ELSE (
        "_vfs_tile" + 1
      ) * 86400000000 + 1
    END
), "_vfs_a6_g0_fetch" AS (
  SELECT
    "_vfs_a6_g0_probe"."_vfs_row",
    "_vfs_a6_g0_probe"."_vfs_k0",
    "_vfs_a6_g0_probe"."_vfs_t",
    "_vfs_a6_g0_probe"."_vfs_tt",
    "_vfs_a6_g0_probe"."_vfs_ta_604800000000",
    "_vfs_a6_g0_probe"."_vfs_ta_2592000000000",
    "_vfs_a6_g0_probe"."_vfs_tt" AS "_vfs_tile"
  FROM "_vfs_a6_g0_probe"
  WHERE
    "_vfs_a6_g0_probe"."_vfs_dense"
  UNION
  SELECT
    "_vfs_a6_g0_probe"."_vfs_row",
    "_vfs_a6_g0_probe"."_vfs_k0",
    "_vfs_a6_g0_probe"."_vfs_t",
    "_vfs_a6_g0_probe"."_vfs_tt",
    "_vfs_a6_g0_probe"."_vfs_ta_604800000000",
    "_vfs_a6_g0_probe"."_vfs_ta_2592000000000",
    "_vfs_a6_g0_probe"."_vfs_ta_604800000000" AS "_vfs_tile"
  FROM "_vfs_a6_g0_probe"
  WHERE
    "_vfs_a6_g0_probe"."_vfs_dense"
  UNION
  SELECT
    "_vfs_a6_g0_probe"."_vfs_row",
    "_vfs_a6_g0_probe"."_vfs_k0",
    "_vfs_a6_g0_probe"."_vfs_t",
    "_vfs_a6_g0_probe"."_vfs_tt",
    "_vfs_a6_g0_probe"."_vfs_ta_604800000000",
    "_vfs_a6_g0_probe"."_vfs_ta_2592000000000",
    "_vfs_a6_g0_probe"."_vfs_ta_2592000000000" AS "_vfs_tile"
  FROM "_vfs_a6_g0_probe"
  WHERE
    "_vfs_a6_g0_probe"."_vfs_dense"
  UNION
  SELECT
    "_vfs_a6_g0_probe"."_vfs_row",
    "_vfs_a6_g0_probe"."_vfs_k0",
    "_vfs_a6_g0_probe"."_vfs_t",
    "_vfs_a6_g0_probe"."_vfs_tt",
    "_vfs_a6_g0_probe"."_vfs_ta_604800000000",
    "_vfs_a6_g0_probe"."_vfs_ta_2592000000000",
    "_vfs_a6_g0_tiles"."_vfs_tile" AS "_vfs_tile"
  FROM "_vfs_a6_g0_probe"
  INNER JOIN "_vfs_a6_g0_tiles"
    ON "_vfs_a6_g0_probe"."_vfs_k0" = "_vfs_a6_g0_tiles"."_vfs_k0"
    AND "_vfs_a6_g0_tiles"."_vfs_tile" = (
      "_vfs_a6_g0_probe"."_vfs_tt" - 1
    )
  WHERE
    "_vfs_a6_g0_tiles"."_vfs_tile" > "_vfs_a6_g0_probe"."_vfs_ta_2592000000000"
    AND "_vfs_a6_g0_tiles"."_vfs_mk" > "_vfs_a6_g0_probe"."_vfs_t"
    AND "_vfs_a6_g0_probe"."_vfs_dense"
  UNION
  SELECT
    "_vfs_a6_g0_probe"."_vfs_row",
    "_vfs_a6_g0_probe"."_vfs_k0",
    "_vfs_a6_g0_probe"."_vfs_t",
    "_vfs_a6_g0_probe"."_vfs_tt",
    "_vfs_a6_g0_probe"."_vfs_ta_604800000000",
    "_vfs_a6_g0_probe"."_vfs_ta_2592000000000",
    "_vfs_a6_g0_late"."_vfs_tile" AS "_vfs_tile"
  FROM "_vfs_a6_g0_probe"
  INNER JOIN "_vfs_a6_g0_late"
    ON "_vfs_a6_g0_probe"."_vfs_k0" = "_vfs_a6_g0_late"."_vfs_k0"
    AND "_vfs_a6_g0_late"."_vfs_tile" < (
      "_vfs_a6_g0_probe"."_vfs_tt" - 1
    )
  WHERE
    "_vfs_a6_g0_late"."_vfs_tile" > "_vfs_a6_g0_probe"."_vfs_ta_2592000000000"
    AND "_vfs_a6_g0_late"."_vfs_mk" > "_vfs_a6_g0_probe"."_vfs_t"
    AND "_vfs_a6_g0_probe"."_vfs_dense"
), "_vfs_a6_g0_fetchmk" AS (
  SELECT
    "_vfs_a6_g0_fetch".*,
    "_vfs_a6_g0_tiles"."_vfs_mk"
  FROM "_vfs_a6_g0_fetch"
  LEFT JOIN "_vfs_a6_g0_tiles"
    ON "_vfs_a6_g0_fetch"."_vfs_k0" = "_vfs_a6_g0_tiles"."_vfs_k0"
    AND "_vfs_a6_g0_fetch"."_vfs_tile" = "_vfs_a6_g0_tiles"."_vfs_tile"
), "_vfs_a6_g0_raw" AS (
  SELECT
    "_vfs_a6_g0_fetchmk"."_vfs_row",
    "_vfs_a6_g0_fetchmk"."_vfs_t",
    "_vfs_a6_g0_fetchmk"."_vfs_tile",
    "_vfs_a6_g0_fetchmk"."_vfs_tt",
    "_vfs_a6_g0_fetchmk"."_vfs_ta_604800000000",
    "_vfs_a6_g0_fetchmk"."_vfs_ta_2592000000000",
    "_vfs_a6_g0_fetchmk"."_vfs_mk",
    "_vfs_scan"."_vfs_e",
    "_vfs_scan"."_vfs_k",
    "_vfs_scan"."_vfs_c",
    "_vfs_scan"."_vfs_m0",
    "_vfs_scan"."_vfs_m1",
    "_vfs_scan"."_vfs_m2",
    "_vfs_scan"."_vfs_m3"
  FROM "_vfs_a6_g0_fetchmk"
  INNER JOIN (
    SELECT
      "_vfs_source"."CUSTOMER_ID" AS "_vfs_k0",
      DATE_PART(EPOCH_MICROSECOND, "_vfs_source"."ORDERED_AT") AS "_vfs_e",
      CASE
        WHEN DATE_PART(EPOCH_MICROSECOND, "_vfs_source"."LOADED_AT") > DATE_PART(EPOCH_MICROSECOND, "_vfs_source"."ORDERED_AT")
        THEN DATE_PART(EPOCH_MICROSECOND, "_vfs_source"."LOADED_AT")
        ELSE DATE_PART(EPOCH_MICROSECOND, "_vfs_source"."ORDERED_AT")
      END AS "_vfs_k",
      DATE_PART(EPOCH_MICROSECOND, "_vfs_source"."LOADED_AT") AS "_vfs_c",
      CAST((
        (
          DATE_PART(EPOCH_MICROSECOND, "_vfs_source"."ORDERED_AT")
        ) - (
          DATE_PART(EPOCH_MICROSECOND, "_vfs_source"."ORDERED_AT")
        ) % 86400000000
      ) / 86400000000 AS BIGINT) AS "_vfs_tile_86400000000",
      CAST((
        (
          DATE_PART(EPOCH_MICROSECOND, "_vfs_source"."ORDERED_AT")
        ) - (
          DATE_PART(EPOCH_MICROSECOND, "_vfs_source"."ORDERED_AT")
        ) % 2592000000000
      ) / 2592000000000 AS BIGINT) AS "_vfs_tile_2592000000000",
      "_vfs_source"."ORDER_ID" AS "_vfs_m0",
      CASE
        WHEN "_vfs_source"."PAYMENT_METHOD" <> 'invoice'
        THEN "_vfs_source"."AMOUNT"
      END AS "_vfs_m1",
      "_vfs_source"."AMOUNT" AS "_vfs_m2",
      CASE WHEN "_vfs_source"."IS_GIFT" = TRUE THEN "_vfs_source"."ORDER_ID" END AS "_vfs_m3"
    FROM "ORDERS" AS "_vfs_source"
  ) AS "_vfs_scan"
    ON "_vfs_a6_g0_fetchmk"."_vfs_k0" = "_vfs_scan"."_vfs_k0"
    AND "_vfs_scan"."_vfs_tile_86400000000" = "_vfs_a6_g0_fetchmk"."_vfs_tile"
    AND "_vfs_scan"."_vfs_e" > (
      "_vfs_a6_g0_fetchmk"."_vfs_t" - 2592000000000
    )
    AND "_vfs_scan"."_vfs_k" <= "_vfs_a6_g0_fetchmk"."_vfs_t"
), "_vfs_a6_g0_sfetch" AS (
  SELECT
    "_vfs_a6_g0_probe"."_vfs_row",
    "_vfs_a6_g0_probe"."_vfs_k0",
    "_vfs_a6_g0_probe"."_vfs_t",
    "_vfs_a6_g0_probe"."_vfs_tt",
    "_vfs_a6_g0_probe"."_vfs_ta_604800000000",
    "_vfs_a6_g0_probe"."_vfs_ta_2592000000000",
    "_vfs_a6_g0_probe"."_vfs_bt" AS "_vfs_tile"
  FROM "_vfs_a6_g0_probe"
  WHERE
    NOT "_vfs_a6_g0_probe"."_vfs_dense"
  UNION ALL
  SELECT
    "_vfs_a6_g0_probe"."_vfs_row",
    "_vfs_a6_g0_probe"."_vfs_k0",
    "_vfs_a6_g0_probe"."_vfs_t",
    "_vfs_a6_g0_probe"."_vfs_tt",
    "_vfs_a6_g0_probe"."_vfs_ta_604800000000",
    "_vfs_a6_g0_probe"."_vfs_ta_2592000000000",
    "_vfs_a6_g0_probe"."_vfs_ba" AS "_vfs_tile"
  FROM "_vfs_a6_g0_probe"
  WHERE
    "_vfs_a6_g0_probe"."_vfs_ba" <> "_vfs_a6_g0_probe"."_vfs_bt"
    AND NOT "_vfs_a6_g0_probe"."_vfs_dense"
), "_vfs_a6_g0_sraw" AS (
  SELECT
    "_vfs_a6_g0_sfetch"."_vfs_row",
    "_vfs_a6_g0_sfetch"."_vfs_t",
    "_vfs_scan"."_vfs_e",
    "_vfs_scan"."_vfs_k",
    "_vfs_scan"."_vfs_c",
    "_vfs_scan"."_vfs_m0",
    "_vfs_scan"."_vfs_m1",
    "_vfs_scan"."_vfs_m2",
    "_vfs_scan"."_vfs_m3"
  FROM "_vfs_a6_g0_sfetch"
  INNER JOIN (
    SELECT
      "_vfs_source"."CUSTOMER_ID" AS "_vfs_k0",
      DATE_PART(EPOCH_MICROSECOND, "_vfs_source"."ORDERED_AT") AS "_vfs_e",
      CASE
        WHEN DATE_PART(EPOCH_MICROSECOND, "_vfs_source"."LOADED_AT") > DATE_PART(EPOCH_MICROSECOND, "_vfs_source"."ORDERED_AT")
        THEN DATE_PART(EPOCH_MICROSECOND, "_vfs_source"."LOADED_AT")
        ELSE DATE_PART(EPOCH_MICROSECOND, "_vfs_source"."ORDERED_AT")
      END AS "_vfs_k",
      DATE_PART(EPOCH_MICROSECOND, "_vfs_source"."LOADED_AT") AS "_vfs_c",
      CAST((
        (
          DATE_PART(EPOCH_MICROSECOND, "_vfs_source"."ORDERED_AT")
        ) - (
          DATE_PART(EPOCH_MICROSECOND, "_vfs_source"."ORDERED_AT")
        ) % 86400000000
      ) / 86400000000 AS BIGINT) AS "_vfs_tile_86400000000",
      CAST((
        (
          DATE_PART(EPOCH_MICROSECOND, "_vfs_source"."ORDERED_AT")
        ) - (
          DATE_PART(EPOCH_MICROSECOND, "_vfs_source"."ORDERED_AT")
        ) % 2592000000000
      ) / 2592000000000 AS BIGINT) AS "_vfs_tile_2592000000000",
      "_vfs_source"."ORDER_ID" AS "_vfs_m0",
      CASE
        WHEN "_vfs_source"."PAYMENT_METHOD" <> 'invoice'
        THEN "_vfs_source"."AMOUNT"
      END AS "_vfs_m1",
      "_vfs_source"."AMOUNT" AS "_vfs_m2",
      CASE WHEN "_vfs_source"."IS_GIFT" = TRUE THEN "_vfs_source"."ORDER_ID" END AS "_vfs_m3"
    FROM "ORDERS" AS "_vfs_source"
  ) AS "_vfs_scan"
    ON "_vfs_a6_g0_sfetch"."_vfs_k0" = "_vfs_scan"."_vfs_k0"
    AND "_vfs_scan"."_vfs_tile_2592000000000" = "_vfs_a6_g0_sfetch"."_vfs_tile"
    AND "_vfs_scan"."_vfs_e" > (
      "_vfs_a6_g0_sfetch"."_vfs_t" - 2592000000000
    )
    AND "_vfs_scan"."_vfs_k" <= "_vfs_a6_g0_sfetch"."_vfs_t"
), "_vfs_a6_g0_pieces" AS (
  SELECT
    "_vfs_a6_g0_middle"."_vfs_row",
    "_vfs_a6_g0_middle"."_vfs_tile" > "_vfs_a6_g0_middle"."_vfs_ta_604800000000" AS "_vfs_in_604800000000",
    "_vfs_a6_g0_middle"."_vfs_tile" > "_vfs_a6_g0_middle"."_vfs_ta_2592000000000" AS "_vfs_in_2592000000000",
    "_vfs_a6_g0_middle"."_vfs_n0",
    "_vfs_a6_g0_middle"."_vfs_s1",
    "_vfs_a6_g0_middle"."_vfs_r1",
    "_vfs_a6_g0_middle"."_vfs_n2",
    "_vfs_a6_g0_middle"."_vfs_s2",
    "_vfs_a6_g0_middle"."_vfs_r2",
    "_vfs_a6_g0_middle"."_vfs_n3"
  FROM "_vfs_a6_g0_middle"
  WHERE
    "_vfs_a6_g0_middle"."_vfs_mk" <= "_vfs_a6_g0_middle"."_vfs_t"
  UNION ALL
  SELECT
    "_vfs_a6_g0_raw"."_vfs_row",
    "_vfs_a6_g0_raw"."_vfs_e" > (
      "_vfs_a6_g0_raw"."_vfs_t" - 604800000000
    )
    AND NOT (
      "_vfs_a6_g0_raw"."_vfs_tile" > "_vfs_a6_g0_raw"."_vfs_ta_604800000000"
      AND "_vfs_a6_g0_raw"."_vfs_tile" < "_vfs_a6_g0_raw"."_vfs_tt"
      AND "_vfs_a6_g0_raw"."_vfs_mk" <= "_vfs_a6_g0_raw"."_vfs_t"
    ) AS "_vfs_in_604800000000",
    "_vfs_a6_g0_raw"."_vfs_e" > (
      "_vfs_a6_g0_raw"."_vfs_t" - 2592000000000
    )
    AND NOT (
      "_vfs_a6_g0_raw"."_vfs_tile" > "_vfs_a6_g0_raw"."_vfs_ta_2592000000000"
      AND "_vfs_a6_g0_raw"."_vfs_tile" < "_vfs_a6_g0_raw"."_vfs_tt"
      AND "_vfs_a6_g0_raw"."_vfs_mk" <= "_vfs_a6_g0_raw"."_vfs_t"
    ) AS "_vfs_in_2592000000000",
    CASE WHEN NOT "_vfs_a6_g0_raw"."_vfs_m0" IS NULL THEN 1 ELSE 0 END AS "_vfs_n0",
    CASE
      WHEN ABS("_vfs_a6_g0_raw"."_vfs_m1") < 9223372036854775808
      THEN CAST("_vfs_a6_g0_raw"."_vfs_m1" AS DECIMAL(38, 12))
      WHEN NOT "_vfs_a6_g0_raw"."_vfs_m1" IS NULL
      THEN 0
    END AS "_vfs_s1",
    CASE
      WHEN NOT ABS("_vfs_a6_g0_raw"."_vfs_m1") < 9223372036854775808
      THEN "_vfs_a6_g0_raw"."_vfs_m1"
    END AS "_vfs_r1",
    CASE WHEN NOT "_vfs_a6_g0_raw"."_vfs_m2" IS NULL THEN 1 ELSE 0 END AS "_vfs_n2",
    CASE
      WHEN ABS("_vfs_a6_g0_raw"."_vfs_m2") < 9223372036854775808
      THEN CAST("_vfs_a6_g0_raw"."_vfs_m2" AS DECIMAL(38, 12))
      WHEN NOT "_vfs_a6_g0_raw"."_vfs_m2" IS NULL
      THEN 0
    END AS "_vfs_s2",
    CASE
      WHEN NOT ABS("_vfs_a6_g0_raw"."_vfs_m2") < 9223372036854775808
      THEN "_vfs_a6_g0_raw"."_vfs_m2"
    END AS "_vfs_r2",
    CASE WHEN NOT "_vfs_a6_g0_raw"."_vfs_m3" IS NULL THEN 1 ELSE 0 END AS "_vfs_n3"
  FROM "_vfs_a6_g0_raw"
  UNION ALL
  SELECT
    "_vfs_a6_g0_sraw"."_vfs_row",
    "_vfs_a6_g0_sraw"."_vfs_e" > (
      "_vfs_a6_g0_sraw"."_vfs_t" - 604800000000
    ) AS "_vfs_in_604800000000",
    "_vfs_a6_g0_sraw"."_vfs_e" > (
      "_vfs_a6_g0_sraw"."_vfs_t" - 2592000000000
    ) AS "_vfs_in_2592000000000",
    CASE WHEN NOT "_vfs_a6_g0_sraw"."_vfs_m0" IS NULL THEN 1 ELSE 0 END AS "_vfs_n0",
    CASE
      WHEN ABS("_vfs_a6_g0_sraw"."_vfs_m1") < 9223372036854775808
      THEN CAST("_vfs_a6_g0_sraw"."_vfs_m1" AS DECIMAL(38, 12))
      WHEN NOT "_vfs_a6_g0_sraw"."_vfs_m1" IS NULL
      THEN 0
    END AS "_vfs_s1",
    CASE
      WHEN NOT ABS("_vfs_a6_g0_sraw"."_vfs_m1") < 9223372036854775808
      THEN "_vfs_a6_g0_sraw"."_vfs_m1"
    END AS "_vfs_r1",
    CASE WHEN NOT "_vfs_a6_g0_sraw"."_vfs_m2" IS NULL THEN 1 ELSE 0 END AS "_vfs_n2",
    CASE
      WHEN ABS("_vfs_a6_g0_sraw"."_vfs_m2") < 9223372036854775808
      THEN CAST("_vfs_a6_g0_sraw"."_vfs_m2" AS DECIMAL(38, 12))
      WHEN NOT "_vfs_a6_g0_sraw"."_vfs_m2" IS NULL
      THEN 0
    END AS "_vfs_s2",
    CASE
      WHEN NOT ABS("_vfs_a6_g0_sraw"."_vfs_m2") < 9223372036854775808
      THEN "_vfs_a6_g0_sraw"."_vfs_m2"
    END AS "_vfs_r2",
    CASE WHEN NOT "_vfs_a6_g0_sraw"."_vfs_m3" IS NULL THEN 1 ELSE 0 END AS "_vfs_n3"
  FROM "_vfs_a6_g0_sraw"
), "_vfs_a6_g0_agg" AS (
  SELECT
    "_vfs_row",
    SUM(CASE WHEN "_vfs_in_604800000000" THEN "_vfs_n0" END) AS "_vfs_o0",
    CAST(SUM(CAST(CASE WHEN "_vfs_in_2592000000000" THEN "_vfs_s1" END AS DECIMAL(38, 12))) AS DOUBLE) + COALESCE(SUM(CASE WHEN "_vfs_in_2592000000000" THEN "_vfs_r1" END), 0) AS "_vfs_o1",
    CAST(CAST(SUM(CAST(CASE WHEN "_vfs_in_2592000000000" THEN "_vfs_s2" END AS DECIMAL(38, 12))) AS DOUBLE) + COALESCE(SUM(CASE WHEN "_vfs_in_2592000000000" THEN "_vfs_r2" END), 0) AS DOUBLE) / NULLIF(SUM(CASE WHEN "_vfs_in_2592000000000" THEN "_vfs_n2" END), 0) AS "_vfs_o2",
    SUM(CASE WHEN "_vfs_in_2592000000000" THEN "_vfs_n3" END) AS "_vfs_o3"
  FROM "_vfs_a6_g0_pieces"
  GROUP BY
    "_vfs_row"
), "_vfs_a6_result" AS (
  SELECT
    "_vfs_entity"."_vfs_row",
    CAST(COALESCE("_vfs_p0"."_vfs_o0", 0) AS DECIMAL(38, 0)) AS "_vfs_o0",
    "_vfs_p0"."_vfs_o1" AS "_vfs_o1",
    CAST("_vfs_p0"."_vfs_o2" AS DOUBLE) AS "_vfs_o2",
    CAST(COALESCE("_vfs_p0"."_vfs_o3", 0) AS DECIMAL(38, 0)) AS "_vfs_o3"
  FROM "_vfs_entities" AS "_vfs_entity"
  LEFT JOIN "_vfs_a6_g0_agg" AS "_vfs_p0"
    ON "_vfs_p0"."_vfs_row" = "_vfs_entity"."_vfs_row"
), "_vfs_a7_ent" AS (
  SELECT
    "_vfs_entity"."_vfs_row",
    "_vfs_entity"."product_id" AS "_vfs_k0",
    DATE_PART(EPOCH_MICROSECOND, "_vfs_entity"."event_timestamp") AS "_vfs_t"
  FROM "_vfs_entities" AS "_vfs_entity"
), "_vfs_a7_g0_routes" AS (
  SELECT
    "_vfs_k0",
    (
      CAST(COUNT(*) AS DOUBLE) * 7776000000000
    ) >= (
      2.0 * CAST(MAX("_vfs_t") - MIN("_vfs_t") + 7776000000000 AS DOUBLE)
    ) AS "_vfs_dense",
    MIN("_vfs_t") AS "_vfs_lo",
    MAX("_vfs_t") AS "_vfs_hi"
  FROM "_vfs_a7_ent"
  GROUP BY
    "_vfs_k0"
), "_vfs_a7_g0_probe" AS (
  SELECT
    "_vfs_a7_ent".*,
    CAST((
      "_vfs_a7_ent"."_vfs_t" - "_vfs_a7_ent"."_vfs_t" % 604800000000
    ) / 604800000000 AS BIGINT) AS "_vfs_tt",
    CAST((
      (
        "_vfs_a7_ent"."_vfs_t" - 7776000000000
      ) - (
        "_vfs_a7_ent"."_vfs_t" - 7776000000000
      ) % 604800000000
    ) / 604800000000 AS BIGINT) AS "_vfs_ta_7776000000000",
    "_vfs_a7_g0_routes"."_vfs_dense",
    CAST((
      "_vfs_a7_ent"."_vfs_t" - "_vfs_a7_ent"."_vfs_t" % 7776000000000
    ) / 7776000000000 AS BIGINT) AS "_vfs_bt",
    CAST((
      (
        "_vfs_a7_ent"."_vfs_t" - 7776000000000
      ) - (
        "_vfs_a7_ent"."_vfs_t" - 7776000000000
      ) % 7776000000000
    ) / 7776000000000 AS BIGINT) AS "_vfs_ba"
  FROM "_vfs_a7_ent"
  INNER JOIN "_vfs_a7_g0_routes"
    ON "_vfs_a7_ent"."_vfs_k0" = "_vfs_a7_g0_routes"."_vfs_k0"
), "_vfs_a7_g0_tiles" AS (
  SELECT
    "_vfs_scan"."_vfs_k0",
    "_vfs_scan"."_vfs_tile_604800000000" AS "_vfs_tile",
    MAX("_vfs_scan"."_vfs_k") AS "_vfs_mk",
    COUNT("_vfs_scan"."_vfs_m0") AS "_vfs_n0",
    MIN("_vfs_scan"."_vfs_m0") AS "_vfs_lo0"
  FROM (
    SELECT
      "_vfs_source"."PRODUCT_ID" AS "_vfs_k0",
      DATE_PART(EPOCH_MICROSECOND, "_vfs_source"."UPDATED_AT") AS "_vfs_e",
      CASE
        WHEN DATE_PART(EPOCH_MICROSECOND, "_vfs_source"."LOADED_AT") > DATE_PART(EPOCH_MICROSECOND, "_vfs_source"."UPDATED_AT")
        THEN DATE_PART(EPOCH_MICROSECOND, "_vfs_source"."LOADED_AT")
        ELSE DATE_PART(EPOCH_MICROSECOND, "_vfs_source"."UPDATED_AT")
      END AS "_vfs_k",
      DATE_PART(EPOCH_MICROSECOND, "_vfs_source"."LOADED_AT") AS "_vfs_c",
      CAST((
        (
          DATE_PART(EPOCH_MICROSECOND, "_vfs_source"."UPDATED_AT")
        ) - (
          DATE_PART(EPOCH_MICROSECOND, "_vfs_source"."UPDATED_AT")
        ) % 604800000000
      ) / 604800000000 AS BIGINT) AS "_vfs_tile_604800000000",
      CAST((
        (
          DATE_PART(EPOCH_MICROSECOND, "_vfs_source"."UPDATED_AT")
        ) - (
          DATE_PART(EPOCH_MICROSECOND, "_vfs_source"."UPDATED_AT")
        ) % 7776000000000
      ) / 7776000000000 AS BIGINT) AS "_vfs_tile_7776000000000",
      "_vfs_source"."PRICE" AS "_vfs_m0"
    FROM "PRODUCTS" AS "_vfs_source"
  ) AS "_vfs_scan"
  INNER JOIN "_vfs_a7_g0_routes"
    ON "_vfs_scan"."_vfs_k0" = "_vfs_a7_g0_routes"."_vfs_k0"
    AND "_vfs_a7_g0_routes"."_vfs_dense"
    AND "_vfs_scan"."_vfs_e" > (
      "_vfs_a7_g0_routes"."_vfs_lo" - 7776000000000
    )
    AND "_vfs_scan"."_vfs_e" <= "_vfs_a7_g0_routes"."_vfs_hi"
    AND "_vfs_scan"."_vfs_k" <= "_vfs_a7_g0_routes"."_vfs_hi"
  GROUP BY
    "_vfs_scan"."_vfs_k0",
    "_vfs_scan"."_vfs_tile_604800000000"
), "_vfs_a7_g0_middle" AS (
  SELECT
    "_vfs_a7_g0_probe"."_vfs_row",
    "_vfs_a7_g0_probe"."_vfs_k0",
    "_vfs_a7_g0_probe"."_vfs_t",
    "_vfs_a7_g0_probe"."_vfs_tt",
    "_vfs_a7_g0_probe"."_vfs_ta_7776000000000",
    "_vfs_a7_g0_tiles"."_vfs_tile",
    "_vfs_a7_g0_tiles"."_vfs_mk",
    "_vfs_a7_g0_tiles"."_vfs_n0",
    "_vfs_a7_g0_tiles"."_vfs_lo0"
  FROM "_vfs_a7_g0_probe"
  INNER JOIN (VALUES
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
    (13)) AS "_vfs_n"("_vfs_i")
    ON (
      "_vfs_a7_g0_probe"."_vfs_ta_7776000000000" + "_vfs_n"."_vfs_i"
    ) < "_vfs_a7_g0_probe"."_vfs_tt"
    AND "_vfs_a7_g0_probe"."_vfs_dense"
  INNER JOIN "_vfs_a7_g0_tiles"
    ON "_vfs_a7_g0_probe"."_vfs_k0" = "_vfs_a7_g0_tiles"."_vfs_k0"
    AND "_vfs_a7_g0_tiles"."_vfs_tile" = (
      "_vfs_a7_g0_probe"."_vfs_ta_7776000000000" + "_vfs_n"."_vfs_i"
    )
), "_vfs_a7_g0_late" AS (
  SELECT
    *
  FROM "_vfs_a7_g0_tiles"
  WHERE
    "_vfs_mk" > CASE
      WHEN (
        "_vfs_tile" + 2
      ) >= 1
      THEN (
        "_vfs_tile" + 2
      ) * 604800000000
      WHEN (
        "_vfs_tile" + 2
      ) = 0
      THEN 1 - 604800000000
      ELSE (
        "_vfs_tile" + 1
      ) * 604800000000 + 1
    END
), "_vfs_a7_g0_fetch" AS (
  SELECT
    "_vfs_a7_g0_probe"."_vfs_row",
    "_vfs_a7_g0_probe"."_vfs_k0",
    "_vfs_a7_g0_probe"."_vfs_t",
    "_vfs_a7_g0_probe"."_vfs_tt",
    "_vfs_a7_g0_probe"."_vfs_ta_7776000000000",
    "_vfs_a7_g0_probe"."_vfs_tt" AS "_vfs_tile"
  FROM "_vfs_a7_g0_probe"
  WHERE
    "_vfs_a7_g0_probe"."_vfs_dense"
  UNION ALL
  SELECT
    "_vfs_a7_g0_probe"."_vfs_row",
    "_vfs_a7_g0_probe"."_vfs_k0",
    "_vfs_a7_g0_probe"."_vfs_t",
    "_vfs_a7_g0_probe"."_vfs_tt",
    "_vfs_a7_g0_probe"."_vfs_ta_7776000000000",
    "_vfs_a7_g0_probe"."_vfs_ta_7776000000000" AS "_vfs_tile"
  FROM "_vfs_a7_g0_probe"
  WHERE
    "_vfs_a7_g0_probe"."_vfs_ta_7776000000000" <> "_vfs_a7_g0_probe"."_vfs_tt"
    AND "_vfs_a7_g0_probe"."_vfs_dense"
  UNION ALL
  SELECT
    "_vfs_a7_g0_probe"."_vfs_row",
    "_vfs_a7_g0_probe"."_vfs_k0",
    "_vfs_a7_g0_probe"."_vfs_t",
    "_vfs_a7_g0_probe"."_vfs_tt",
    "_vfs_a7_g0_probe"."_vfs_ta_7776000000000",
    "_vfs_a7_g0_tiles"."_vfs_tile" AS "_vfs_tile"
  FROM "_vfs_a7_g0_probe"
  INNER JOIN "_vfs_a7_g0_tiles"
    ON "_vfs_a7_g0_probe"."_vfs_k0" = "_vfs_a7_g0_tiles"."_vfs_k0"
    AND "_vfs_a7_g0_tiles"."_vfs_tile" = (
      "_vfs_a7_g0_probe"."_vfs_tt" - 1
    )
  WHERE
    "_vfs_a7_g0_tiles"."_vfs_tile" > "_vfs_a7_g0_probe"."_vfs_ta_7776000000000"
    AND "_vfs_a7_g0_tiles"."_vfs_mk" > "_vfs_a7_g0_probe"."_vfs_t"
    AND "_vfs_a7_g0_probe"."_vfs_dense"
  UNION ALL
  SELECT
    "_vfs_a7_g0_probe"."_vfs_row",
    "_vfs_a7_g0_probe"."_vfs_k0",
    "_vfs_a7_g0_probe"."_vfs_t",
    "_vfs_a7_g0_probe"."_vfs_tt",
    "_vfs_a7_g0_probe"."_vfs_ta_7776000000000",
    "_vfs_a7_g0_late"."_vfs_tile" AS "_vfs_tile"
  FROM "_vfs_a7_g0_probe"
  INNER JOIN "_vfs_a7_g0_late"
    ON "_vfs_a7_g0_probe"."_vfs_k0" = "_vfs_a7_g0_late"."_vfs_k0"
    AND "_vfs_a7_g0_late"."_vfs_tile" < (
      "_vfs_a7_g0_probe"."_vfs_tt" - 1
    )
  WHERE
    "_vfs_a7_g0_late"."_vfs_tile" > "_vfs_a7_g0_probe"."_vfs_ta_7776000000000"
    AND "_vfs_a7_g0_late"."_vfs_mk" > "_vfs_a7_g0_probe"."_vfs_t"
    AND "_vfs_a7_g0_probe"."_vfs_dense"
), "_vfs_a7_g0_raw" AS (
  SELECT
    "_vfs_a7_g0_fetch"."_vfs_row",
    "_vfs_a7_g0_fetch"."_vfs_t",
    "_vfs_a7_g0_fetch"."_vfs_tile",
    "_vfs_a7_g0_fetch"."_vfs_tt",
    "_vfs_a7_g0_fetch"."_vfs_ta_7776000000000",
    "_vfs_scan"."_vfs_e",
    "_vfs_scan"."_vfs_k",
    "_vfs_scan"."_vfs_c",
    "_vfs_scan"."_vfs_m0"
  FROM "_vfs_a7_g0_fetch"
  INNER JOIN (
    SELECT
      "_vfs_source"."PRODUCT_ID" AS "_vfs_k0",
      DATE_PART(EPOCH_MICROSECOND, "_vfs_source"."UPDATED_AT") AS "_vfs_e",
      CASE
        WHEN DATE_PART(EPOCH_MICROSECOND, "_vfs_source"."LOADED_AT") > DATE_PART(EPOCH_MICROSECOND, "_vfs_source"."UPDATED_AT")
        THEN DATE_PART(EPOCH_MICROSECOND, "_vfs_source"."LOADED_AT")
        ELSE DATE_PART(EPOCH_MICROSECOND, "_vfs_source"."UPDATED_AT")
      END AS "_vfs_k",
      DATE_PART(EPOCH_MICROSECOND, "_vfs_source"."LOADED_AT") AS "_vfs_c",
      CAST((
        (
          DATE_PART(EPOCH_MICROSECOND, "_vfs_source"."UPDATED_AT")
        ) - (
          DATE_PART(EPOCH_MICROSECOND, "_vfs_source"."UPDATED_AT")
        ) % 604800000000
      ) / 604800000000 AS BIGINT) AS "_vfs_tile_604800000000",
      CAST((
        (
          DATE_PART(EPOCH_MICROSECOND, "_vfs_source"."UPDATED_AT")
        ) - (
          DATE_PART(EPOCH_MICROSECOND, "_vfs_source"."UPDATED_AT")
        ) % 7776000000000
      ) / 7776000000000 AS BIGINT) AS "_vfs_tile_7776000000000",
      "_vfs_source"."PRICE" AS "_vfs_m0"
    FROM "PRODUCTS" AS "_vfs_source"
  ) AS "_vfs_scan"
    ON "_vfs_a7_g0_fetch"."_vfs_k0" = "_vfs_scan"."_vfs_k0"
    AND "_vfs_scan"."_vfs_tile_604800000000" = "_vfs_a7_g0_fetch"."_vfs_tile"
    AND "_vfs_scan"."_vfs_e" > (
      "_vfs_a7_g0_fetch"."_vfs_t" - 7776000000000
    )
    AND "_vfs_scan"."_vfs_k" <= "_vfs_a7_g0_fetch"."_vfs_t"
), "_vfs_a7_g0_sfetch" AS (
  SELECT
    "_vfs_a7_g0_probe"."_vfs_row",
    "_vfs_a7_g0_probe"."_vfs_k0",
    "_vfs_a7_g0_probe"."_vfs_t",
    "_vfs_a7_g0_probe"."_vfs_tt",
    "_vfs_a7_g0_probe"."_vfs_ta_7776000000000",
    "_vfs_a7_g0_probe"."_vfs_bt" AS "_vfs_tile"
  FROM "_vfs_a7_g0_probe"
  WHERE
    NOT "_vfs_a7_g0_probe"."_vfs_dense"
  UNION ALL
  SELECT
    "_vfs_a7_g0_probe"."_vfs_row",
    "_vfs_a7_g0_probe"."_vfs_k0",
    "_vfs_a7_g0_probe"."_vfs_t",
    "_vfs_a7_g0_probe"."_vfs_tt",
    "_vfs_a7_g0_probe"."_vfs_ta_7776000000000",
    "_vfs_a7_g0_probe"."_vfs_ba" AS "_vfs_tile"
  FROM "_vfs_a7_g0_probe"
  WHERE
    "_vfs_a7_g0_probe"."_vfs_ba" <> "_vfs_a7_g0_probe"."_vfs_bt"
    AND NOT "_vfs_a7_g0_probe"."_vfs_dense"
), "_vfs_a7_g0_sraw" AS (
  SELECT
    "_vfs_a7_g0_sfetch"."_vfs_row",
    "_vfs_a7_g0_sfetch"."_vfs_t",
    "_vfs_scan"."_vfs_e",
    "_vfs_scan"."_vfs_k",
    "_vfs_scan"."_vfs_c",
    "_vfs_scan"."_vfs_m0"
  FROM "_vfs_a7_g0_sfetch"
  INNER JOIN (
    SELECT
      "_vfs_source"."PRODUCT_ID" AS "_vfs_k0",
      DATE_PART(EPOCH_MICROSECOND, "_vfs_source"."UPDATED_AT") AS "_vfs_e",
      CASE
        WHEN DATE_PART(EPOCH_MICROSECOND, "_vfs_source"."LOADED_AT") > DATE_PART(EPOCH_MICROSECOND, "_vfs_source"."UPDATED_AT")
        THEN DATE_PART(EPOCH_MICROSECOND, "_vfs_source"."LOADED_AT")
        ELSE DATE_PART(EPOCH_MICROSECOND, "_vfs_source"."UPDATED_AT")
      END AS "_vfs_k",
      DATE_PART(EPOCH_MICROSECOND, "_vfs_source"."LOADED_AT") AS "_vfs_c",
      CAST((
        (
          DATE_PART(EPOCH_MICROSECOND, "_vfs_source"."UPDATED_AT")
        ) - (
          DATE_PART(EPOCH_MICROSECOND, "_vfs_source"."UPDATED_AT")
        ) % 604800000000
      ) / 604800000000 AS BIGINT) AS "_vfs_tile_604800000000",
      CAST((
        (
          DATE_PART(EPOCH_MICROSECOND, "_vfs_source"."UPDATED_AT")
        ) - (
          DATE_PART(EPOCH_MICROSECOND, "_vfs_source"."UPDATED_AT")
        ) % 7776000000000
      ) / 7776000000000 AS BIGINT) AS "_vfs_tile_7776000000000",
      "_vfs_source"."PRICE" AS "_vfs_m0"
    FROM "PRODUCTS" AS "_vfs_source"
  ) AS "_vfs_scan"
    ON "_vfs_a7_g0_sfetch"."_vfs_k0" = "_vfs_scan"."_vfs_k0"
    AND "_vfs_scan"."_vfs_tile_7776000000000" = "_vfs_a7_g0_sfetch"."_vfs_tile"
    AND "_vfs_scan"."_vfs_e" > (
      "_vfs_a7_g0_sfetch"."_vfs_t" - 7776000000000
    )
    AND "_vfs_scan"."_vfs_k" <= "_vfs_a7_g0_sfetch"."_vfs_t"
), "_vfs_a7_g0_pieces" AS (
  SELECT
    "_vfs_a7_g0_middle"."_vfs_row",
    "_vfs_a7_g0_middle"."_vfs_n0",
    "_vfs_a7_g0_middle"."_vfs_lo0"
  FROM "_vfs_a7_g0_middle"
  WHERE
    "_vfs_a7_g0_middle"."_vfs_mk" <= "_vfs_a7_g0_middle"."_vfs_t"
  UNION ALL
  SELECT
    "_vfs_a7_g0_raw"."_vfs_row",
    CASE WHEN NOT "_vfs_a7_g0_raw"."_vfs_m0" IS NULL THEN 1 ELSE 0 END AS "_vfs_n0",
    "_vfs_a7_g0_raw"."_vfs_m0" AS "_vfs_lo0"
  FROM "_vfs_a7_g0_raw"
  UNION ALL
  SELECT
    "_vfs_a7_g0_sraw"."_vfs_row",
    CASE WHEN NOT "_vfs_a7_g0_sraw"."_vfs_m0" IS NULL THEN 1 ELSE 0 END AS "_vfs_n0",
    "_vfs_a7_g0_sraw"."_vfs_m0" AS "_vfs_lo0"
  FROM "_vfs_a7_g0_sraw"
), "_vfs_a7_g0_agg" AS (
  SELECT
    "_vfs_row",
    SUM("_vfs_n0") AS "_vfs_o0",
    MIN("_vfs_lo0") AS "_vfs_o1"
  FROM "_vfs_a7_g0_pieces"
  GROUP BY
    "_vfs_row"
), "_vfs_a7_result" AS (
  SELECT
    "_vfs_entity"."_vfs_row",
    CAST(COALESCE("_vfs_p0"."_vfs_o0", 0) AS DECIMAL(38, 0)) AS "_vfs_o0",
    "_vfs_p0"."_vfs_o1" AS "_vfs_o1"
  FROM "_vfs_entities" AS "_vfs_entity"
  LEFT JOIN "_vfs_a7_g0_agg" AS "_vfs_p0"
    ON "_vfs_p0"."_vfs_row" = "_vfs_entity"."_vfs_row"
)
SELECT
  "_vfs_entity"."customer_id",
  "_vfs_entity"."product_id",
  "_vfs_entity"."event_timestamp",
  CASE
    WHEN "_vfs_v0"."_vfs_event" >= "_vfs_entity"."_vfs_time" - INTERVAL '2592000 SECOND'
    THEN "_vfs_v0"."AMOUNT"
  END AS "amount",
  CASE
    WHEN "_vfs_v0"."_vfs_event" >= "_vfs_entity"."_vfs_time" - INTERVAL '2592000 SECOND'
    THEN "_vfs_v0"."QUANTITY"
  END AS "quantity",
  CASE
    WHEN "_vfs_v0"."_vfs_event" >= "_vfs_entity"."_vfs_time" - INTERVAL '2592000 SECOND'
    THEN "_vfs_v0"."IS_GIFT"
  END AS "is_gift",
  CASE
    WHEN "_vfs_v1"."_vfs_event" >= "_vfs_entity"."_vfs_time" - INTERVAL '604800 SECOND'
    THEN "_vfs_v1"."DWELL_SECONDS"
  END AS "dwell_seconds",
  CASE
    WHEN "_vfs_v1"."_vfs_event" >= "_vfs_entity"."_vfs_time" - INTERVAL '604800 SECOND'
    THEN "_vfs_v1"."DEVICE"
  END AS "device",
  CASE
    WHEN "_vfs_v2"."_vfs_event" >= "_vfs_entity"."_vfs_time" - INTERVAL '259200 SECOND'
    THEN "_vfs_v2"."ORDERS_7D"
  END AS "orders_7d",
  CASE
    WHEN "_vfs_v2"."_vfs_event" >= "_vfs_entity"."_vfs_time" - INTERVAL '259200 SECOND'
    THEN "_vfs_v2"."SPEND_7D"
  END AS "spend_7d",
  CASE
    WHEN "_vfs_v2"."_vfs_event" >= "_vfs_entity"."_vfs_time" - INTERVAL '259200 SECOND'
    THEN "_vfs_v2"."VIEWS_7D"
  END AS "views_7d",
  CASE
    WHEN "_vfs_v2"."_vfs_event" >= "_vfs_entity"."_vfs_time" - INTERVAL '259200 SECOND'
    THEN "_vfs_v2"."LAST_DEVICE"
  END AS "last_device",
  CASE
    WHEN "_vfs_v2"."_vfs_event" >= "_vfs_entity"."_vfs_time" - INTERVAL '259200 SECOND'
    THEN "_vfs_v2"."LAST_ORDER_AT"
  END AS "last_order_at",
  "_vfs_v3"."COUNTRY" AS "country",
  "_vfs_v3"."IS_SUBSCRIBED" AS "is_subscribed",
  "_vfs_v4"."CATEGORY" AS "category",
  "_vfs_v4"."PRICE" AS "price",
  "_vfs_v4"."IN_STOCK" AS "in_stock",
  CASE
    WHEN "_vfs_v5"."_vfs_event" >= "_vfs_entity"."_vfs_time" - INTERVAL '7776000 SECOND'
    THEN "_vfs_v5"."LAST_BOUGHT_AT"
  END AS "last_bought_at",
  CASE
    WHEN "_vfs_v5"."_vfs_event" >= "_vfs_entity"."_vfs_time" - INTERVAL '7776000 SECOND'
    THEN "_vfs_v5"."LAST_BOUGHT_QUANTITY"
  END AS "last_bought_quantity",
  "_vfs_a6"."_vfs_o0" AS "order_count_7d",
  "_vfs_a6"."_vfs_o1" AS "spend_30d",
  "_vfs_a6"."_vfs_o2" AS "avg_basket_30d",
  "_vfs_a6"."_vfs_o3" AS "gift_orders_30d",
  "_vfs_a7"."_vfs_o0" AS "price_changes_90d",
  "_vfs_a7"."_vfs_o1" AS "lowest_price_90d"
FROM "_vfs_entity_rows" AS "_vfs_entity"
ASOF JOIN "_vfs_best_0" AS "_vfs_v0" MATCH_CONDITION ("_vfs_entity"."_vfs_time" >= "_vfs_v0"."_vfs_known")
  ON "_vfs_entity"."customer_id" = "_vfs_v0"."CUSTOMER_ID"
ASOF JOIN "_vfs_best_1" AS "_vfs_v1" MATCH_CONDITION ("_vfs_entity"."_vfs_time" >= "_vfs_v1"."_vfs_known")
  ON "_vfs_entity"."customer_id" = "_vfs_v1"."CUSTOMER_ID"
ASOF JOIN "_vfs_best_2" AS "_vfs_v2" MATCH_CONDITION ("_vfs_entity"."_vfs_time" >= "_vfs_v2"."_vfs_known")
  ON "_vfs_entity"."customer_id" = "_vfs_v2"."CUSTOMER_ID"
ASOF JOIN "_vfs_best_3" AS "_vfs_v3" MATCH_CONDITION ("_vfs_entity"."_vfs_time" >= "_vfs_v3"."_vfs_known")
  ON "_vfs_entity"."customer_id" = "_vfs_v3"."CUSTOMER_ID"
ASOF JOIN "_vfs_best_4" AS "_vfs_v4" MATCH_CONDITION ("_vfs_entity"."_vfs_time" >= "_vfs_v4"."_vfs_known")
  ON "_vfs_entity"."product_id" = "_vfs_v4"."PRODUCT_ID"
ASOF JOIN "_vfs_best_5" AS "_vfs_v5" MATCH_CONDITION ("_vfs_entity"."_vfs_time" >= "_vfs_v5"."_vfs_known")
  ON "_vfs_entity"."customer_id" = "_vfs_v5"."CUSTOMER_ID"
  AND "_vfs_entity"."product_id" = "_vfs_v5"."PRODUCT_ID"
LEFT JOIN "_vfs_a6_result" AS "_vfs_a6"
  ON "_vfs_a6"."_vfs_row" = "_vfs_entity"."_vfs_row"
LEFT JOIN "_vfs_a7_result" AS "_vfs_a7"
  ON "_vfs_a7"."_vfs_row" = "_vfs_entity"."_vfs_row"
ORDER BY
  "_vfs_entity"."_vfs_row" ASC;
