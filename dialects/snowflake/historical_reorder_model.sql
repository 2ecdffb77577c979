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
    AND (
      "_vfs_source"."LOADED_AT" <= "_vfs_bounds"."_vfs_high"
      OR "_vfs_source"."LOADED_AT" IS NULL
    )
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
    AND (
      "_vfs_source"."LOADED_AT" <= "_vfs_bounds"."_vfs_high"
      OR "_vfs_source"."LOADED_AT" IS NULL
    )
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
    AND (
      "_vfs_source"."LOADED_AT" <= "_vfs_bounds"."_vfs_high"
      OR "_vfs_source"."LOADED_AT" IS NULL
    )
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
    AND (
      "_vfs_source"."LOADED_AT" <= "_vfs_bounds"."_vfs_high"
      OR "_vfs_source"."LOADED_AT" IS NULL
    )
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
    AND (
      "_vfs_source"."LOADED_AT" <= "_vfs_bounds"."_vfs_high"
      OR "_vfs_source"."LOADED_AT" IS NULL
    )
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
    AND (
      "_vfs_source"."LOADED_AT" <= "_vfs_bounds"."_vfs_high"
      OR "_vfs_source"."LOADED_AT" IS NULL
    )
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
  END AS "last_bought_quantity"
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
ORDER BY
  "_vfs_entity"."_vfs_row" ASC;
