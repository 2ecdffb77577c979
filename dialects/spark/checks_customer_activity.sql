SELECT
  `_vfs_check_0`.`_vfs_p0`,
  `_vfs_check_0`.`_vfs_p1`,
  `_vfs_check_0`.`_vfs_p2`,
  `_vfs_check_0`.`_vfs_p3`,
  `_vfs_check_0`.`_vfs_p4`,
  `_vfs_check_0`.`_vfs_p5`,
  `_vfs_check_0`.`_vfs_p6`
FROM (
  SELECT
    COUNT(*) AS `_vfs_p0`,
    COUNT(`amount`) AS `_vfs_p1`,
    COUNT(CASE WHEN `amount` < 0 OR `amount` > 100000 THEN 1 END) AS `_vfs_p2`,
    MIN(`amount`) AS `_vfs_p3`,
    MAX(`amount`) AS `_vfs_p4`,
    COUNT(
      CASE
        WHEN NOT `payment_method` IN ('card', 'paypal', 'apple_pay', 'invoice')
        THEN 1
      END
    ) AS `_vfs_p5`,
    MIN(
      CAST(CASE
        WHEN NOT `payment_method` IN ('card', 'paypal', 'apple_pay', 'invoice')
        THEN `payment_method`
      END AS STRING)
    ) AS `_vfs_p6`
  FROM `virtualfs_features`.`_vfs_stage_shop__customer_activity`
) AS `_vfs_check_0`;
