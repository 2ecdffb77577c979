SELECT
  "_vfs_ranked"."CUSTOMER_ID",
  "_vfs_ranked"."_vfs_event",
  "_vfs_ranked"."_vfs_created",
  "_vfs_ranked"."AMOUNT",
  "_vfs_ranked"."QUANTITY",
  "_vfs_ranked"."IS_GIFT",
  "_vfs_ranked"."PAYMENT_METHOD",
  "_vfs_ranked"."DISCOUNT"
FROM (
  SELECT
    "_vfs_source"."CUSTOMER_ID" AS "CUSTOMER_ID",
    "_vfs_source"."ORDERED_AT" AS "_vfs_event",
    "_vfs_source"."LOADED_AT" AS "_vfs_created",
    "_vfs_source"."AMOUNT" AS "AMOUNT",
    "_vfs_source"."QUANTITY" AS "QUANTITY",
    "_vfs_source"."IS_GIFT" AS "IS_GIFT",
    "_vfs_source"."PAYMENT_METHOD" AS "PAYMENT_METHOD",
    "_vfs_source"."DISCOUNT" AS "DISCOUNT",
    ROW_NUMBER() OVER (
      PARTITION BY "_vfs_source"."CUSTOMER_ID"
      ORDER BY "_vfs_source"."ORDERED_AT" DESC NULLS LAST, "_vfs_source"."LOADED_AT" DESC NULLS LAST
    ) AS "_vfs_rank"
  FROM "ORDERS" AS "_vfs_source"
  WHERE
    NOT "_vfs_source"."ORDERED_AT" IS NULL
    AND NOT "_vfs_source"."CUSTOMER_ID" IS NULL
    AND CASE
      WHEN "_vfs_source"."LOADED_AT" > "_vfs_source"."ORDERED_AT"
      THEN "_vfs_source"."LOADED_AT"
      ELSE "_vfs_source"."ORDERED_AT"
    END >= CAST('2026-09-01 00:00:00' AS TIMESTAMP)
    AND CASE
      WHEN "_vfs_source"."LOADED_AT" > "_vfs_source"."ORDERED_AT"
      THEN "_vfs_source"."LOADED_AT"
      ELSE "_vfs_source"."ORDERED_AT"
    END < CAST('2026-09-30 12:00:00' AS TIMESTAMP)
) AS "_vfs_ranked"
WHERE
  "_vfs_ranked"."_vfs_rank" = 1;
