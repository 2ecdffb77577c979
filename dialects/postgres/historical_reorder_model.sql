DROP TABLE IF EXISTS "_vfs_part_0";

CREATE TEMPORARY TABLE "_vfs_part_0" AS
WITH "_vfs_entity_rows" AS (
  SELECT
    *,
    CAST("event_timestamp" AS TIMESTAMP) AS "_vfs_time"
  FROM "_vfs_entities"
), "_vfs_scan_0" AS (
  SELECT
    "_vfs_source"."customer_id" AS "customer_id",
    "_vfs_source"."ordered_at" AS "_vfs_event",
    "_vfs_source"."loaded_at" AS "_vfs_created",
    CASE
      WHEN "_vfs_source"."loaded_at" > "_vfs_source"."ordered_at"
      THEN "_vfs_source"."loaded_at"
      ELSE "_vfs_source"."ordered_at"
    END AS "_vfs_known",
    "_vfs_source"."amount" AS "amount",
    "_vfs_source"."quantity" AS "quantity",
    "_vfs_source"."is_gift" AS "is_gift"
  FROM "orders" AS "_vfs_source"
), "_vfs_best_0" AS (
  SELECT
    "_vfs_row",
    "amount",
    "quantity",
    "is_gift"
  FROM (
    SELECT
      "_vfs_entity"."_vfs_row",
      "_vfs_scan_0"."amount" AS "amount",
      "_vfs_scan_0"."quantity" AS "quantity",
      "_vfs_scan_0"."is_gift" AS "is_gift",
      ROW_NUMBER() OVER (
        PARTITION BY "_vfs_entity"."_vfs_row"
        ORDER BY "_vfs_scan_0"."_vfs_event" DESC, "_vfs_scan_0"."_vfs_created" DESC NULLS LAST
      ) AS "_w",
      "_vfs_scan_0"."_vfs_event",
      "_vfs_scan_0"."_vfs_created"
    FROM "_vfs_entity_rows" AS "_vfs_entity"
    INNER JOIN "_vfs_scan_0"
      ON "_vfs_entity"."customer_id" = "_vfs_scan_0"."customer_id"
      AND "_vfs_scan_0"."_vfs_event" <= "_vfs_entity"."_vfs_time"
      AND COALESCE("_vfs_scan_0"."_vfs_created", "_vfs_scan_0"."_vfs_event") <= "_vfs_entity"."_vfs_time"
      AND "_vfs_scan_0"."_vfs_event" >= "_vfs_entity"."_vfs_time" - INTERVAL '2592000 SECOND'
  ) AS "_t"
  WHERE
    "_w" = 1
), "_vfs_scan_1" AS (
  SELECT
    "_vfs_source"."customer_id" AS "customer_id",
    "_vfs_source"."viewed_at" AS "_vfs_event",
    "_vfs_source"."loaded_at" AS "_vfs_created",
    CASE
      WHEN "_vfs_source"."loaded_at" > "_vfs_source"."viewed_at"
      THEN "_vfs_source"."loaded_at"
      ELSE "_vfs_source"."viewed_at"
    END AS "_vfs_known",
    "_vfs_source"."dwell_seconds" AS "dwell_seconds",
    "_vfs_source"."device" AS "device"
  FROM (
    SELECT
      "customer_id",
      "viewed_at",
      "loaded_at",
      "dwell_seconds",
      "device",
      "product_id" AS "last_viewed_product_id"
    FROM "page_views"
  ) AS "_vfs_source"
), "_vfs_best_1" AS (
  SELECT
    "_vfs_row",
    "dwell_seconds",
    "device"
  FROM (
    SELECT
      "_vfs_entity"."_vfs_row",
      "_vfs_scan_1"."dwell_seconds" AS "dwell_seconds",
      "_vfs_scan_1"."device" AS "device",
      ROW_NUMBER() OVER (
        PARTITION BY "_vfs_entity"."_vfs_row"
        ORDER BY "_vfs_scan_1"."_vfs_event" DESC, "_vfs_scan_1"."_vfs_created" DESC NULLS LAST
      ) AS "_w",
      "_vfs_scan_1"."_vfs_event",
      "_vfs_scan_1"."_vfs_created"
    FROM "_vfs_entity_rows" AS "_vfs_entity"
    INNER JOIN "_vfs_scan_1"
      ON "_vfs_entity"."customer_id" = "_vfs_scan_1"."customer_id"
      AND "_vfs_scan_1"."_vfs_event" <= "_vfs_entity"."_vfs_time"
      AND COALESCE("_vfs_scan_1"."_vfs_created", "_vfs_scan_1"."_vfs_event") <= "_vfs_entity"."_vfs_time"
      AND "_vfs_scan_1"."_vfs_event" >= "_vfs_entity"."_vfs_time" - INTERVAL '604800 SECOND'
  ) AS "_t"
  WHERE
    "_w" = 1
), "_vfs_scan_2" AS (
  SELECT
    "_vfs_source"."customer_id" AS "customer_id",
    "_vfs_source"."day" AS "_vfs_event",
    "_vfs_source"."loaded_at" AS "_vfs_created",
    CASE
      WHEN "_vfs_source"."loaded_at" > "_vfs_source"."day"
      THEN "_vfs_source"."loaded_at"
      ELSE "_vfs_source"."day"
    END AS "_vfs_known",
    "_vfs_source"."orders_7d" AS "orders_7d",
    "_vfs_source"."spend_7d" AS "spend_7d",
    "_vfs_source"."views_7d" AS "views_7d",
    "_vfs_source"."last_device" AS "last_device",
    "_vfs_source"."last_order_at" AS "last_order_at"
  FROM "customer_daily_stats" AS "_vfs_source"
), "_vfs_best_2" AS (
  SELECT
    "_vfs_row",
    "orders_7d",
    "spend_7d",
    "views_7d",
    "last_device",
    "last_order_at"
  FROM (
    SELECT
      "_vfs_entity"."_vfs_row",
      "_vfs_scan_2"."orders_7d" AS "orders_7d",
      "_vfs_scan_2"."spend_7d" AS "spend_7d",
      "_vfs_scan_2"."views_7d" AS "views_7d",
      "_vfs_scan_2"."last_device" AS "last_device",
      "_vfs_scan_2"."last_order_at" AS "last_order_at",
      ROW_NUMBER() OVER (
        PARTITION BY "_vfs_entity"."_vfs_row"
        ORDER BY "_vfs_scan_2"."_vfs_event" DESC, "_vfs_scan_2"."_vfs_created" DESC NULLS LAST
      ) AS "_w",
      "_vfs_scan_2"."_vfs_event",
      "_vfs_scan_2"."_vfs_created"
    FROM "_vfs_entity_rows" AS "_vfs_entity"
    INNER JOIN "_vfs_scan_2"
      ON "_vfs_entity"."customer_id" = "_vfs_scan_2"."customer_id"
      AND "_vfs_scan_2"."_vfs_event" <= "_vfs_entity"."_vfs_time"
      AND COALESCE("_vfs_scan_2"."_vfs_created", "_vfs_scan_2"."_vfs_event") <= "_vfs_entity"."_vfs_time"
      AND "_vfs_scan_2"."_vfs_event" >= "_vfs_entity"."_vfs_time" - INTERVAL '259200 SECOND'
  ) AS "_t"
  WHERE
    "_w" = 1
), "_vfs_scan_3" AS (
  SELECT
    "_vfs_source"."customer_id" AS "customer_id",
    "_vfs_source"."signup_at" AS "_vfs_event",
    "_vfs_source"."loaded_at" AS "_vfs_created",
    CASE
      WHEN "_vfs_source"."loaded_at" > "_vfs_source"."signup_at"
      THEN "_vfs_source"."loaded_at"
      ELSE "_vfs_source"."signup_at"
    END AS "_vfs_known",
    "_vfs_source"."country" AS "country",
    "_vfs_source"."is_subscribed" AS "is_subscribed"
  FROM "customers" AS "_vfs_source"
), "_vfs_best_3" AS (
  SELECT
    "_vfs_row",
    "country",
    "is_subscribed"
  FROM (
    SELECT
      "_vfs_entity"."_vfs_row",
      "_vfs_scan_3"."country" AS "country",
      "_vfs_scan_3"."is_subscribed" AS "is_subscribed",
      ROW_NUMBER() OVER (
        PARTITION BY "_vfs_entity"."_vfs_row"
        ORDER BY "_vfs_scan_3"."_vfs_event" DESC, "_vfs_scan_3"."_vfs_created" DESC NULLS LAST
      ) AS "_w",
      "_vfs_scan_3"."_vfs_event",
      "_vfs_scan_3"."_vfs_created"
    FROM "_vfs_entity_rows" AS "_vfs_entity"
    INNER JOIN "_vfs_scan_3"
      ON "_vfs_entity"."customer_id" = "_vfs_scan_3"."customer_id"
      AND "_vfs_scan_3"."_vfs_event" <= "_vfs_entity"."_vfs_time"
      AND COALESCE("_vfs_scan_3"."_vfs_created", "_vfs_scan_3"."_vfs_event") <= "_vfs_entity"."_vfs_time"
  ) AS "_t"
  WHERE
    "_w" = 1
)
SELECT
  "_vfs_entity"."_vfs_row",
  "_vfs_v0"."amount" AS "amount",
  "_vfs_v0"."quantity" AS "quantity",
  "_vfs_v0"."is_gift" AS "is_gift",
  "_vfs_v1"."dwell_seconds" AS "dwell_seconds",
  "_vfs_v1"."device" AS "device",
  "_vfs_v2"."orders_7d" AS "orders_7d",
  "_vfs_v2"."spend_7d" AS "spend_7d",
  "_vfs_v2"."views_7d" AS "views_7d",
  "_vfs_v2"."last_device" AS "last_device",
  "_vfs_v2"."last_order_at" AS "last_order_at",
  "_vfs_v3"."country" AS "country",
  "_vfs_v3"."is_subscribed" AS "is_subscribed"
FROM "_vfs_entity_rows" AS "_vfs_entity"
LEFT JOIN "_vfs_best_0" AS "_vfs_v0"
  ON "_vfs_v0"."_vfs_row" = "_vfs_entity"."_vfs_row"
LEFT JOIN "_vfs_best_1" AS "_vfs_v1"
  ON "_vfs_v1"."_vfs_row" = "_vfs_entity"."_vfs_row"
LEFT JOIN "_vfs_best_2" AS "_vfs_v2"
  ON "_vfs_v2"."_vfs_row" = "_vfs_entity"."_vfs_row"
LEFT JOIN "_vfs_best_3" AS "_vfs_v3"
  ON "_vfs_v3"."_vfs_row" = "_vfs_entity"."_vfs_row";

DROP TABLE IF EXISTS "_vfs_part_1";

CREATE TEMPORARY TABLE "_vfs_part_1" AS
WITH "_vfs_entity_rows" AS (
  SELECT
    *,
    CAST("event_timestamp" AS TIMESTAMP) AS "_vfs_time"
  FROM "_vfs_entities"
), "_vfs_scan_4" AS (
  SELECT
    "_vfs_source"."product_id" AS "product_id",
    "_vfs_source"."updated_at" AS "_vfs_event",
    "_vfs_source"."loaded_at" AS "_vfs_created",
    CASE
      WHEN "_vfs_source"."loaded_at" > "_vfs_source"."updated_at"
      THEN "_vfs_source"."loaded_at"
      ELSE "_vfs_source"."updated_at"
    END AS "_vfs_known",
    "_vfs_source"."category" AS "category",
    "_vfs_source"."price" AS "price",
    "_vfs_source"."in_stock" AS "in_stock"
  FROM "products" AS "_vfs_source"
), "_vfs_best_4" AS (
  SELECT
    "_vfs_row",
    "category",
    "price",
    "in_stock"
  FROM (
    SELECT
      "_vfs_entity"."_vfs_row",
      "_vfs_scan_4"."category" AS "category",
      "_vfs_scan_4"."price" AS "price",
      "_vfs_scan_4"."in_stock" AS "in_stock",
      ROW_NUMBER() OVER (
        PARTITION BY "_vfs_entity"."_vfs_row"
        ORDER BY "_vfs_scan_4"."_vfs_event" DESC, "_vfs_scan_4"."_vfs_created" DESC NULLS LAST
      ) AS "_w",
      "_vfs_scan_4"."_vfs_event",
      "_vfs_scan_4"."_vfs_created"
    FROM "_vfs_entity_rows" AS "_vfs_entity"
    INNER JOIN "_vfs_scan_4"
      ON "_vfs_entity"."product_id" = "_vfs_scan_4"."product_id"
      AND "_vfs_scan_4"."_vfs_event" <= "_vfs_entity"."_vfs_time"
      AND COALESCE("_vfs_scan_4"."_vfs_created", "_vfs_scan_4"."_vfs_event") <= "_vfs_entity"."_vfs_time"
  ) AS "_t"
  WHERE
    "_w" = 1
), "_vfs_scan_5" AS (
  SELECT
    "_vfs_source"."customer_id" AS "customer_id",
    "_vfs_source"."product_id" AS "product_id",
    "_vfs_source"."ordered_at" AS "_vfs_event",
    "_vfs_source"."loaded_at" AS "_vfs_created",
    CASE
      WHEN "_vfs_source"."loaded_at" > "_vfs_source"."ordered_at"
      THEN "_vfs_source"."loaded_at"
      ELSE "_vfs_source"."ordered_at"
    END AS "_vfs_known",
    "_vfs_source"."last_bought_at" AS "last_bought_at",
    "_vfs_source"."last_bought_quantity" AS "last_bought_quantity"
  FROM (
    SELECT
      "customer_id",
      "product_id",
      "ordered_at",
      "loaded_at",
      "ordered_at" AS "last_bought_at",
      "quantity" AS "last_bought_quantity"
    FROM "orders"
  ) AS "_vfs_source"
), "_vfs_best_5" AS (
  SELECT
    "_vfs_row",
    "last_bought_at",
    "last_bought_quantity"
  FROM (
    SELECT
      "_vfs_entity"."_vfs_row",
      "_vfs_scan_5"."last_bought_at" AS "last_bought_at",
      "_vfs_scan_5"."last_bought_quantity" AS "last_bought_quantity",
      ROW_NUMBER() OVER (
        PARTITION BY "_vfs_entity"."_vfs_row"
        ORDER BY "_vfs_scan_5"."_vfs_event" DESC, "_vfs_scan_5"."_vfs_created" DESC NULLS LAST
      ) AS "_w",
      "_vfs_scan_5"."_vfs_event",
      "_vfs_scan_5"."_vfs_created"
    FROM "_vfs_entity_rows" AS "_vfs_entity"
    INNER JOIN "_vfs_scan_5"
      ON "_vfs_entity"."customer_id" = "_vfs_scan_5"."customer_id"
      AND "_vfs_entity"."product_id" = "_vfs_scan_5"."product_id"
      AND "_vfs_scan_5"."_vfs_event" <= "_vfs_entity"."_vfs_time"
      AND COALESCE("_vfs_scan_5"."_vfs_created", "_vfs_scan_5"."_vfs_event") <= "_vfs_entity"."_vfs_time"
      AND "_vfs_scan_5"."_vfs_event" >= "_vfs_entity"."_vfs_time" - INTERVAL '7776000 SECOND'
  ) AS "_t"
  WHERE
    "_w" = 1
), "_vfs_a6_ent" AS (
  SELECT
    "_vfs_entity"."_vfs_row",
    "_vfs_entity"."customer_id" AS "_vfs_k0",
    CAST(EXTRACT(EPOCH FROM "_vfs_entity"."event_timestamp") * 1000000 AS BIGINT) AS "_vfs_t"
  FROM "_vfs_entities" AS "_vfs_entity"
), "_vfs_a6_g0_routes" AS (
  SELECT
    "_vfs_k0",
    (
      CAST(COUNT(*) AS DOUBLE PRECISION) * 2592000000000
    ) >= (
      2.0 * CAST(MAX("_vfs_t") - MIN("_vfs_t") + 2592000000000 AS DOUBLE PRECISION)
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
      "_vfs_source"."customer_id" AS "_vfs_k0",
      CAST(EXTRACT(EPOCH FROM "_vfs_source"."ordered_at") * 1000000 AS BIGINT) AS "_vfs_e",
      CASE
        WHEN CAST(EXTRACT(EPOCH FROM "_vfs_source"."loaded_at") * 1000000 AS BIGINT) > CAST(EXTRACT(EPOCH FROM "_vfs_source"."ordered_at") * 1000000 AS BIGINT)
        THEN CAST(EXTRACT(EPOCH FROM "_vfs_source"."loaded_at") * 1000000 AS BIGINT)
        ELSE CAST(EXTRACT(EPOCH FROM "_vfs_source"."ordered_at") * 1000000 AS BIGINT)
      END AS "_vfs_k",
      CAST(EXTRACT(EPOCH FROM "_vfs_source"."loaded_at") * 1000000 AS BIGINT) AS "_vfs_c",
      CAST((
        (
          CAST(EXTRACT(EPOCH FROM "_vfs_source"."ordered_at") * 1000000 AS BIGINT)
        ) - (
          CAST(EXTRACT(EPOCH FROM "_vfs_source"."ordered_at") * 1000000 AS BIGINT)
        ) % 86400000000
      ) / 86400000000 AS BIGINT) AS "_vfs_tile_86400000000",
      CAST((
        (
          CAST(EXTRACT(EPOCH FROM "_vfs_source"."ordered_at") * 1000000 AS BIGINT)
        ) - (
          CAST(EXTRACT(EPOCH FROM "_vfs_source"."ordered_at") * 1000000 AS BIGINT)
        ) % 2592000000000
      ) / 2592000000000 AS BIGINT) AS "_vfs_tile_2592000000000",
      "_vfs_source"."order_id" AS "_vfs_m0",
      CASE
        WHEN "_vfs_source"."payment_method" <> 'invoice'
        THEN "_vfs_source"."amount"
      END AS "_vfs_m1",
      "_vfs_source"."amount" AS "_vfs_m2",
      CASE WHEN "_vfs_source"."is_gift" = TRUE THEN "_vfs_source"."order_id" END AS "_vfs_m3"
    FROM "orders" AS "_vfs_source"
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
      "_vfs_source"."customer_id" AS "_vfs_k0",
      CAST(EXTRACT(EPOCH FROM "_vfs_source"."ordered_at") * 1000000 AS BIGINT) AS "_vfs_e",
      CASE
        WHEN CAST(EXTRACT(EPOCH FROM "_vfs_source"."loaded_at") * 1000000 AS BIGINT) > CAST(EXTRACT(EPOCH FROM "_vfs_source"."ordered_at") * 1000000 AS BIGINT)
        THEN CAST(EXTRACT(EPOCH FROM "_vfs_source"."loaded_at") * 1000000 AS BIGINT)
        ELSE CAST(EXTRACT(EPOCH FROM "_vfs_source"."ordered_at") * 1000000 AS BIGINT)
      END AS "_vfs_k",
      CAST(EXTRACT(EPOCH FROM "_vfs_source"."loaded_at") * 1000000 AS BIGINT) AS "_vfs_c",
      CAST((
        (
          CAST(EXTRACT(EPOCH FROM "_vfs_source"."ordered_at") * 1000000 AS BIGINT)
        ) - (
          CAST(EXTRACT(EPOCH FROM "_vfs_source"."ordered_at") * 1000000 AS BIGINT)
        ) % 86400000000
      ) / 86400000000 AS BIGINT) AS "_vfs_tile_86400000000",
      CAST((
        (
          CAST(EXTRACT(EPOCH FROM "_vfs_source"."ordered_at") * 1000000 AS BIGINT)
        ) - (
          CAST(EXTRACT(EPOCH FROM "_vfs_source"."ordered_at") * 1000000 AS BIGINT)
        ) % 2592000000000
      ) / 2592000000000 AS BIGINT) AS "_vfs_tile_2592000000000",
      "_vfs_source"."order_id" AS "_vfs_m0",
      CASE
        WHEN "_vfs_source"."payment_method" <> 'invoice'
        THEN "_vfs_source"."amount"
      END AS "_vfs_m1",
      "_vfs_source"."amount" AS "_vfs_m2",
      CASE WHEN "_vfs_source"."is_gift" = TRUE THEN "_vfs_source"."order_id" END AS "_vfs_m3"
    FROM "orders" AS "_vfs_source"
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
      "_vfs_source"."customer_id" AS "_vfs_k0",
      CAST(EXTRACT(EPOCH FROM "_vfs_source"."ordered_at") * 1000000 AS BIGINT) AS "_vfs_e",
      CASE
        WHEN CAST(EXTRACT(EPOCH FROM "_vfs_source"."loaded_at") * 1000000 AS BIGINT) > CAST(EXTRACT(EPOCH FROM "_vfs_source"."ordered_at") * 1000000 AS BIGINT)
        THEN CAST(EXTRACT(EPOCH FROM "_vfs_source"."loaded_at") * 1000000 AS BIGINT)
        ELSE CAST(EXTRACT(EPOCH FROM "_vfs_source"."ordered_at") * 1000000 AS BIGINT)
      END AS "_vfs_k",
      CAST(EXTRACT(EPOCH FROM "_vfs_source"."loaded_at") * 1000000 AS BIGINT) AS "_vfs_c",
      CAST((
        (
          CAST(EXTRACT(EPOCH FROM "_vfs_source"."ordered_at") * 1000000 AS BIGINT)
        ) - (
          CAST(EXTRACT(EPOCH FROM "_vfs_source"."ordered_at") * 1000000 AS BIGINT)
        ) % 86400000000
      ) / 86400000000 AS BIGINT) AS "_vfs_tile_86400000000",
      CAST((
        (
          CAST(EXTRACT(EPOCH FROM "_vfs_source"."ordered_at") * 1000000 AS BIGINT)
        ) - (
          CAST(EXTRACT(EPOCH FROM "_vfs_source"."ordered_at") * 1000000 AS BIGINT)
        ) % 2592000000000
      ) / 2592000000000 AS BIGINT) AS "_vfs_tile_2592000000000",
      "_vfs_source"."order_id" AS "_vfs_m0",
      CASE
        WHEN "_vfs_source"."payment_method" <> 'invoice'
        THEN "_vfs_source"."amount"
      END AS "_vfs_m1",
      "_vfs_source"."amount" AS "_vfs_m2",
      CASE WHEN "_vfs_source"."is_gift" = TRUE THEN "_vfs_source"."order_id" END AS "_vfs_m3"
    FROM "orders" AS "_vfs_source"
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
    CAST(SUM(CAST(CASE WHEN "_vfs_in_2592000000000" THEN "_vfs_s1" END AS DECIMAL(38, 12))) AS DOUBLE PRECISION) + COALESCE(SUM(CASE WHEN "_vfs_in_2592000000000" THEN "_vfs_r1" END), 0) AS "_vfs_o1",
    CAST(CAST(SUM(CAST(CASE WHEN "_vfs_in_2592000000000" THEN "_vfs_s2" END AS DECIMAL(38, 12))) AS DOUBLE PRECISION) + COALESCE(SUM(CASE WHEN "_vfs_in_2592000000000" THEN "_vfs_r2" END), 0) AS DOUBLE PRECISION) / NULLIF(SUM(CASE WHEN "_vfs_in_2592000000000" THEN "_vfs_n2" END), 0) AS "_vfs_o2",
    SUM(CASE WHEN "_vfs_in_2592000000000" THEN "_vfs_n3" END) AS "_vfs_o3"
  FROM "_vfs_a6_g0_pieces"
  GROUP BY
    "_vfs_row"
), "_vfs_a6_result" AS (
  SELECT
    "_vfs_entity"."_vfs_row",
    CAST(COALESCE("_vfs_p0"."_vfs_o0", 0) AS BIGINT) AS "_vfs_o0",
    "_vfs_p0"."_vfs_o1" AS "_vfs_o1",
    CAST("_vfs_p0"."_vfs_o2" AS DOUBLE PRECISION) AS "_vfs_o2",
    CAST(COALESCE("_vfs_p0"."_vfs_o3", 0) AS BIGINT) AS "_vfs_o3"
  FROM "_vfs_entities" AS "_vfs_entity"
  LEFT JOIN "_vfs_a6_g0_agg" AS "_vfs_p0"
    ON "_vfs_p0"."_vfs_row" = "_vfs_entity"."_vfs_row"
), "_vfs_a7_ent" AS (
  SELECT
    "_vfs_entity"."_vfs_row",
    "_vfs_entity"."product_id" AS "_vfs_k0",
    CAST(EXTRACT(EPOCH FROM "_vfs_entity"."event_timestamp") * 1000000 AS BIGINT) AS "_vfs_t"
  FROM "_vfs_entities" AS "_vfs_entity"
), "_vfs_a7_g0_routes" AS (
  SELECT
    "_vfs_k0",
    (
      CAST(COUNT(*) AS DOUBLE PRECISION) * 7776000000000
    ) >= (
      2.0 * CAST(MAX("_vfs_t") - MIN("_vfs_t") + 7776000000000 AS DOUBLE PRECISION)
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
      "_vfs_source"."product_id" AS "_vfs_k0",
      CAST(EXTRACT(EPOCH FROM "_vfs_source"."updated_at") * 1000000 AS BIGINT) AS "_vfs_e",
      CASE
        WHEN CAST(EXTRACT(EPOCH FROM "_vfs_source"."loaded_at") * 1000000 AS BIGINT) > CAST(EXTRACT(EPOCH FROM "_vfs_source"."updated_at") * 1000000 AS BIGINT)
        THEN CAST(EXTRACT(EPOCH FROM "_vfs_source"."loaded_at") * 1000000 AS BIGINT)
        ELSE CAST(EXTRACT(EPOCH FROM "_vfs_source"."updated_at") * 1000000 AS BIGINT)
      END AS "_vfs_k",
      CAST(EXTRACT(EPOCH FROM "_vfs_source"."loaded_at") * 1000000 AS BIGINT) AS "_vfs_c",
      CAST((
        (
          CAST(EXTRACT(EPOCH FROM "_vfs_source"."updated_at") * 1000000 AS BIGINT)
        ) - (
          CAST(EXTRACT(EPOCH FROM "_vfs_source"."updated_at") * 1000000 AS BIGINT)
        ) % 604800000000
      ) / 604800000000 AS BIGINT) AS "_vfs_tile_604800000000",
      CAST((
        (
          CAST(EXTRACT(EPOCH FROM "_vfs_source"."updated_at") * 1000000 AS BIGINT)
        ) - (
          CAST(EXTRACT(EPOCH FROM "_vfs_source"."updated_at") * 1000000 AS BIGINT)
        ) % 7776000000000
      ) / 7776000000000 AS BIGINT) AS "_vfs_tile_7776000000000",
      "_vfs_source"."price" AS "_vfs_m0"
    FROM "products" AS "_vfs_source"
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
      "_vfs_source"."product_id" AS "_vfs_k0",
      CAST(EXTRACT(EPOCH FROM "_vfs_source"."updated_at") * 1000000 AS BIGINT) AS "_vfs_e",
      CASE
        WHEN CAST(EXTRACT(EPOCH FROM "_vfs_source"."loaded_at") * 1000000 AS BIGINT) > CAST(EXTRACT(EPOCH FROM "_vfs_source"."updated_at") * 1000000 AS BIGINT)
        THEN CAST(EXTRACT(EPOCH FROM "_vfs_source"."loaded_at") * 1000000 AS BIGINT)
        ELSE CAST(EXTRACT(EPOCH FROM "_vfs_source"."updated_at") * 1000000 AS BIGINT)
      END AS "_vfs_k",
      CAST(EXTRACT(EPOCH FROM "_vfs_source"."loaded_at") * 1000000 AS BIGINT) AS "_vfs_c",
      CAST((
        (
          CAST(EXTRACT(EPOCH FROM "_vfs_source"."updated_at") * 1000000 AS BIGINT)
        ) - (
          CAST(EXTRACT(EPOCH FROM "_vfs_source"."updated_at") * 1000000 AS BIGINT)
        ) % 604800000000
      ) / 604800000000 AS BIGINT) AS "_vfs_tile_604800000000",
      CAST((
        (
          CAST(EXTRACT(EPOCH FROM "_vfs_source"."updated_at") * 1000000 AS BIGINT)
        ) - (
          CAST(EXTRACT(EPOCH FROM "_vfs_source"."updated_at") * 1000000 AS BIGINT)
        ) % 7776000000000
      ) / 7776000000000 AS BIGINT) AS "_vfs_tile_7776000000000",
      "_vfs_source"."price" AS "_vfs_m0"
    FROM "products" AS "_vfs_source"
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
      "_vfs_source"."product_id" AS "_vfs_k0",
      CAST(EXTRACT(EPOCH FROM "_vfs_source"."updated_at") * 1000000 AS BIGINT) AS "_vfs_e",
      CASE
        WHEN CAST(EXTRACT(EPOCH FROM "_vfs_source"."loaded_at") * 1000000 AS BIGINT) > CAST(EXTRACT(EPOCH FROM "_vfs_source"."updated_at") * 1000000 AS BIGINT)
        THEN CAST(EXTRACT(EPOCH FROM "_vfs_source"."loaded_at") * 1000000 AS BIGINT)
        ELSE CAST(EXTRACT(EPOCH FROM "_vfs_source"."updated_at") * 1000000 AS BIGINT)
      END AS "_vfs_k",
      CAST(EXTRACT(EPOCH FROM "_vfs_source"."loaded_at") * 1000000 AS BIGINT) AS "_vfs_c",
      CAST((
        (
          CAST(EXTRACT(EPOCH FROM "_vfs_source"."updated_at") * 1000000 AS BIGINT)
        ) - (
          CAST(EXTRACT(EPOCH FROM "_vfs_source"."updated_at") * 1000000 AS BIGINT)
        ) % 604800000000
      ) / 604800000000 AS BIGINT) AS "_vfs_tile_604800000000",
      CAST((
        (
          CAST(EXTRACT(EPOCH FROM "_vfs_source"."updated_at") * 1000000 AS BIGINT)
        ) - (
          CAST(EXTRACT(EPOCH FROM "_vfs_source"."updated_at") * 1000000 AS BIGINT)
        ) % 7776000000000
      ) / 7776000000000 AS BIGINT) AS "_vfs_tile_7776000000000",
      "_vfs_source"."price" AS "_vfs_m0"
    FROM "products" AS "_vfs_source"
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
    CAST(COALESCE("_vfs_p0"."_vfs_o0", 0) AS BIGINT) AS "_vfs_o0",
    "_vfs_p0"."_vfs_o1" AS "_vfs_o1"
  FROM "_vfs_entities" AS "_vfs_entity"
  LEFT JOIN "_vfs_a7_g0_agg" AS "_vfs_p0"
    ON "_vfs_p0"."_vfs_row" = "_vfs_entity"."_vfs_row"
)
SELECT
  "_vfs_entity"."_vfs_row",
  "_vfs_v4"."category" AS "category",
  "_vfs_v4"."price" AS "price",
  "_vfs_v4"."in_stock" AS "in_stock",
  "_vfs_v5"."last_bought_at" AS "last_bought_at",
  "_vfs_v5"."last_bought_quantity" AS "last_bought_quantity",
  "_vfs_a6"."_vfs_o0" AS "order_count_7d",
  "_vfs_a6"."_vfs_o1" AS "spend_30d",
  "_vfs_a6"."_vfs_o2" AS "avg_basket_30d",
  "_vfs_a6"."_vfs_o3" AS "gift_orders_30d",
  "_vfs_a7"."_vfs_o0" AS "price_changes_90d",
  "_vfs_a7"."_vfs_o1" AS "lowest_price_90d"
FROM "_vfs_entity_rows" AS "_vfs_entity"
LEFT JOIN "_vfs_best_4" AS "_vfs_v4"
  ON "_vfs_v4"."_vfs_row" = "_vfs_entity"."_vfs_row"
LEFT JOIN "_vfs_best_5" AS "_vfs_v5"
  ON "_vfs_v5"."_vfs_row" = "_vfs_entity"."_vfs_row"
LEFT JOIN "_vfs_a6_result" AS "_vfs_a6"
  ON "_vfs_a6"."_vfs_row" = "_vfs_entity"."_vfs_row"
LEFT JOIN "_vfs_a7_result" AS "_vfs_a7"
  ON "_vfs_a7"."_vfs_row" = "_vfs_entity"."_vfs_row";

SELECT
  "_vfs_entity"."customer_id",
  "_vfs_entity"."product_id",
  "_vfs_entity"."event_timestamp",
  "_vfs_part_0"."amount",
  "_vfs_part_0"."quantity",
  "_vfs_part_0"."is_gift",
  "_vfs_part_0"."dwell_seconds",
  "_vfs_part_0"."device",
  "_vfs_part_0"."orders_7d",
  "_vfs_part_0"."spend_7d",
  "_vfs_part_0"."views_7d",
  "_vfs_part_0"."last_device",
  "_vfs_part_0"."last_order_at",
  "_vfs_part_0"."country",
  "_vfs_part_0"."is_subscribed",
  "_vfs_part_1"."category",
  "_vfs_part_1"."price",
  "_vfs_part_1"."in_stock",
  "_vfs_part_1"."last_bought_at",
  "_vfs_part_1"."last_bought_quantity",
  "_vfs_part_1"."order_count_7d",
  "_vfs_part_1"."spend_30d",
  "_vfs_part_1"."avg_basket_30d",
  "_vfs_part_1"."gift_orders_30d",
  "_vfs_part_1"."price_changes_90d",
  "_vfs_part_1"."lowest_price_90d"
FROM "_vfs_entities" AS "_vfs_entity"
LEFT JOIN "_vfs_part_0"
  ON "_vfs_part_0"."_vfs_row" = "_vfs_entity"."_vfs_row"
LEFT JOIN "_vfs_part_1"
  ON "_vfs_part_1"."_vfs_row" = "_vfs_entity"."_vfs_row"
ORDER BY
  "_vfs_entity"."_vfs_row" ASC;
