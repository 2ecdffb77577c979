WITH "_vfs_entity_rows" AS (
  SELECT
    *,
    CAST("event_timestamp" AS TIMESTAMP) AS "_vfs_time"
  FROM "_vfs_entities"
), "_vfs_bounds" AS (
  SELECT
    MIN("_vfs_time") AS "_vfs_low",
    MAX("_vfs_time") AS "_vfs_high"
  FROM "_vfs_entity_rows"
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
  CROSS JOIN "_vfs_bounds"
  WHERE
    "_vfs_source"."ordered_at" <= "_vfs_bounds"."_vfs_high"
    AND "_vfs_source"."ordered_at" >= "_vfs_bounds"."_vfs_low" - INTERVAL '2592000' SECOND
    AND (
      "_vfs_source"."loaded_at" <= "_vfs_bounds"."_vfs_high"
      OR "_vfs_source"."loaded_at" IS NULL
    )
), "_vfs_best_0" AS (
  SELECT
    *,
    CAST(EPOCH_US("_vfs_event") AS INT128) * 18446744073709551616 + COALESCE(EPOCH_US("_vfs_created"), -9223372036854775808) AS "_vfs_order"
  FROM "_vfs_scan_0"
  QUALIFY
    "_vfs_order" = MAX("_vfs_order") OVER (
      PARTITION BY "_vfs_scan_0"."customer_id"
      ORDER BY "_vfs_known" ASC
      RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
    )
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
  CROSS JOIN "_vfs_bounds"
  WHERE
    "_vfs_source"."viewed_at" <= "_vfs_bounds"."_vfs_high"
    AND "_vfs_source"."viewed_at" >= "_vfs_bounds"."_vfs_low" - INTERVAL '604800' SECOND
    AND (
      "_vfs_source"."loaded_at" <= "_vfs_bounds"."_vfs_high"
      OR "_vfs_source"."loaded_at" IS NULL
    )
), "_vfs_best_1" AS (
  SELECT
    *,
    CAST(EPOCH_US("_vfs_event") AS INT128) * 18446744073709551616 + COALESCE(EPOCH_US("_vfs_created"), -9223372036854775808) AS "_vfs_order"
  FROM "_vfs_scan_1"
  QUALIFY
    "_vfs_order" = MAX("_vfs_order") OVER (
      PARTITION BY "_vfs_scan_1"."customer_id"
      ORDER BY "_vfs_known" ASC
      RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
    )
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
  CROSS JOIN "_vfs_bounds"
  WHERE
    "_vfs_source"."day" <= "_vfs_bounds"."_vfs_high"
    AND "_vfs_source"."day" >= "_vfs_bounds"."_vfs_low" - INTERVAL '259200' SECOND
    AND (
      "_vfs_source"."loaded_at" <= "_vfs_bounds"."_vfs_high"
      OR "_vfs_source"."loaded_at" IS NULL
    )
), "_vfs_best_2" AS (
  SELECT
    *,
    CAST(EPOCH_US("_vfs_event") AS INT128) * 18446744073709551616 + COALESCE(EPOCH_US("_vfs_created"), -9223372036854775808) AS "_vfs_order"
  FROM "_vfs_scan_2"
  QUALIFY
    "_vfs_order" = MAX("_vfs_order") OVER (
      PARTITION BY "_vfs_scan_2"."customer_id"
      ORDER BY "_vfs_known" ASC
      RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
    )
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
  CROSS JOIN "_vfs_bounds"
  WHERE
    "_vfs_source"."signup_at" <= "_vfs_bounds"."_vfs_high"
    AND (
      "_vfs_source"."loaded_at" <= "_vfs_bounds"."_vfs_high"
      OR "_vfs_source"."loaded_at" IS NULL
    )
), "_vfs_best_3" AS (
  SELECT
    *,
    CAST(EPOCH_US("_vfs_event") AS INT128) * 18446744073709551616 + COALESCE(EPOCH_US("_vfs_created"), -9223372036854775808) AS "_vfs_order"
  FROM "_vfs_scan_3"
  QUALIFY
    "_vfs_order" = MAX("_vfs_order") OVER (
      PARTITION BY "_vfs_scan_3"."customer_id"
      ORDER BY "_vfs_known" ASC
      RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
    )
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
  CROSS JOIN "_vfs_bounds"
  WHERE
    "_vfs_source"."updated_at" <= "_vfs_bounds"."_vfs_high"
    AND (
      "_vfs_source"."loaded_at" <= "_vfs_bounds"."_vfs_high"
      OR "_vfs_source"."loaded_at" IS NULL
    )
), "_vfs_best_4" AS (
  SELECT
    *,
    CAST(EPOCH_US("_vfs_event") AS INT128) * 18446744073709551616 + COALESCE(EPOCH_US("_vfs_created"), -9223372036854775808) AS "_vfs_order"
  FROM "_vfs_scan_4"
  QUALIFY
    "_vfs_order" = MAX("_vfs_order") OVER (
      PARTITION BY "_vfs_scan_4"."product_id"
      ORDER BY "_vfs_known" ASC
      RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
    )
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
  CROSS JOIN "_vfs_bounds"
  WHERE
    "_vfs_source"."ordered_at" <= "_vfs_bounds"."_vfs_high"
    AND "_vfs_source"."ordered_at" >= "_vfs_bounds"."_vfs_low" - INTERVAL '7776000' SECOND
    AND (
      "_vfs_source"."loaded_at" <= "_vfs_bounds"."_vfs_high"
      OR "_vfs_source"."loaded_at" IS NULL
    )
), "_vfs_best_5" AS (
  SELECT
    *,
    CAST(EPOCH_US("_vfs_event") AS INT128) * 18446744073709551616 + COALESCE(EPOCH_US("_vfs_created"), -9223372036854775808) AS "_vfs_order"
  FROM "_vfs_scan_5"
  QUALIFY
    "_vfs_order" = MAX("_vfs_order") OVER (
      PARTITION BY "_vfs_scan_5"."customer_id", "_vfs_scan_5"."product_id"
      ORDER BY "_vfs_known" ASC
      RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
    )
)
SELECT
  "_vfs_entity"."customer_id",
  "_vfs_entity"."product_id",
  "_vfs_entity"."event_timestamp",
  CASE
    WHEN "_vfs_v0"."_vfs_event" >= "_vfs_entity"."_vfs_time" - INTERVAL '2592000' SECOND
    THEN "_vfs_v0"."amount"
  END AS "amount",
  CASE
    WHEN "_vfs_v0"."_vfs_event" >= "_vfs_entity"."_vfs_time" - INTERVAL '2592000' SECOND
    THEN "_vfs_v0"."quantity"
  END AS "quantity",
  CASE
    WHEN "_vfs_v0"."_vfs_event" >= "_vfs_entity"."_vfs_time" - INTERVAL '2592000' SECOND
    THEN "_vfs_v0"."is_gift"
  END AS "is_gift",
  CASE
    WHEN "_vfs_v1"."_vfs_event" >= "_vfs_entity"."_vfs_time" - INTERVAL '604800' SECOND
    THEN "_vfs_v1"."dwell_seconds"
  END AS "dwell_seconds",
  CASE
    WHEN "_vfs_v1"."_vfs_event" >= "_vfs_entity"."_vfs_time" - INTERVAL '604800' SECOND
    THEN "_vfs_v1"."device"
  END AS "device",
  CASE
    WHEN "_vfs_v2"."_vfs_event" >= "_vfs_entity"."_vfs_time" - INTERVAL '259200' SECOND
    THEN "_vfs_v2"."orders_7d"
  END AS "orders_7d",
  CASE
    WHEN "_vfs_v2"."_vfs_event" >= "_vfs_entity"."_vfs_time" - INTERVAL '259200' SECOND
    THEN "_vfs_v2"."spend_7d"
  END AS "spend_7d",
  CASE
    WHEN "_vfs_v2"."_vfs_event" >= "_vfs_entity"."_vfs_time" - INTERVAL '259200' SECOND
    THEN "_vfs_v2"."views_7d"
  END AS "views_7d",
  CASE
    WHEN "_vfs_v2"."_vfs_event" >= "_vfs_entity"."_vfs_time" - INTERVAL '259200' SECOND
    THEN "_vfs_v2"."last_device"
  END AS "last_device",
  CASE
    WHEN "_vfs_v2"."_vfs_event" >= "_vfs_entity"."_vfs_time" - INTERVAL '259200' SECOND
    THEN "_vfs_v2"."last_order_at"
  END AS "last_order_at",
  "_vfs_v3"."country" AS "country",
  "_vfs_v3"."is_subscribed" AS "is_subscribed",
  "_vfs_v4"."category" AS "category",
  "_vfs_v4"."price" AS "price",
  "_vfs_v4"."in_stock" AS "in_stock",
  CASE
    WHEN "_vfs_v5"."_vfs_event" >= "_vfs_entity"."_vfs_time" - INTERVAL '7776000' SECOND
    THEN "_vfs_v5"."last_bought_at"
  END AS "last_bought_at",
  CASE
    WHEN "_vfs_v5"."_vfs_event" >= "_vfs_entity"."_vfs_time" - INTERVAL '7776000' SECOND
    THEN "_vfs_v5"."last_bought_quantity"
  END AS "last_bought_quantity"
FROM "_vfs_entity_rows" AS "_vfs_entity"
ASOF LEFT JOIN "_vfs_best_0" AS "_vfs_v0"
  ON "_vfs_entity"."customer_id" = "_vfs_v0"."customer_id"
  AND "_vfs_entity"."_vfs_time" >= "_vfs_v0"."_vfs_known"
ASOF LEFT JOIN "_vfs_best_1" AS "_vfs_v1"
  ON "_vfs_entity"."customer_id" = "_vfs_v1"."customer_id"
  AND "_vfs_entity"."_vfs_time" >= "_vfs_v1"."_vfs_known"
ASOF LEFT JOIN "_vfs_best_2" AS "_vfs_v2"
  ON "_vfs_entity"."customer_id" = "_vfs_v2"."customer_id"
  AND "_vfs_entity"."_vfs_time" >= "_vfs_v2"."_vfs_known"
ASOF LEFT JOIN "_vfs_best_3" AS "_vfs_v3"
  ON "_vfs_entity"."customer_id" = "_vfs_v3"."customer_id"
  AND "_vfs_entity"."_vfs_time" >= "_vfs_v3"."_vfs_known"
ASOF LEFT JOIN "_vfs_best_4" AS "_vfs_v4"
  ON "_vfs_entity"."product_id" = "_vfs_v4"."product_id"
  AND "_vfs_entity"."_vfs_time" >= "_vfs_v4"."_vfs_known"
ASOF LEFT JOIN "_vfs_best_5" AS "_vfs_v5"
  ON "_vfs_entity"."customer_id" = "_vfs_v5"."customer_id"
  AND "_vfs_entity"."product_id" = "_vfs_v5"."product_id"
  AND "_vfs_entity"."_vfs_time" >= "_vfs_v5"."_vfs_known"
ORDER BY
  "_vfs_entity"."_vfs_row" ASC;
