SELECT
  "_vfs_check_0"."_vfs_p0",
  "_vfs_check_0"."_vfs_p1",
  "_vfs_check_0"."_vfs_p2",
  "_vfs_check_0"."_vfs_p3",
  "_vfs_check_0"."_vfs_p4",
  "_vfs_check_0"."_vfs_p5",
  "_vfs_check_0"."_vfs_p6"
FROM (
  SELECT
    COUNT(*) AS "_vfs_p0",
    COUNT("AMOUNT") AS "_vfs_p1",
    COUNT(CASE WHEN "AMOUNT" < 0 OR "AMOUNT" > 100000 THEN 1 END) AS "_vfs_p2",
    MIN("AMOUNT") AS "_vfs_p3",
    MAX("AMOUNT") AS "_vfs_p4",
    COUNT(
      CASE
        WHEN NOT "PAYMENT_METHOD" IN ('card', 'paypal', 'apple_pay', 'invoice')
        THEN 1
      END
    ) AS "_vfs_p5",
    MIN(
      CAST(CASE
        WHEN NOT "PAYMENT_METHOD" IN ('card', 'paypal', 'apple_pay', 'invoice')
        THEN "PAYMENT_METHOD"
      END AS VARCHAR)
    ) AS "_vfs_p6"
  FROM "VIRTUALFS_FEATURES"."_VFS_STAGE_SHOP__CUSTOMER_ACTIVITY"
) AS "_vfs_check_0";
