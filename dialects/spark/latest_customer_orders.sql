SELECT
  `_vfs_ranked`.`customer_id`,
  `_vfs_ranked`.`_vfs_event`,
  `_vfs_ranked`.`_vfs_created`,
  `_vfs_ranked`.`amount`,
  `_vfs_ranked`.`quantity`,
  `_vfs_ranked`.`is_gift`,
  `_vfs_ranked`.`payment_method`,
  `_vfs_ranked`.`discount`
FROM (
  SELECT
    `_vfs_source`.`customer_id` AS `customer_id`,
    `_vfs_source`.`ordered_at` AS `_vfs_event`,
    `_vfs_source`.`loaded_at` AS `_vfs_created`,
    `_vfs_source`.`amount` AS `amount`,
    `_vfs_source`.`quantity` AS `quantity`,
    `_vfs_source`.`is_gift` AS `is_gift`,
    `_vfs_source`.`payment_method` AS `payment_method`,
    `_vfs_source`.`discount` AS `discount`,
    ROW_NUMBER() OVER (
      PARTITION BY `_vfs_source`.`customer_id`
      ORDER BY `_vfs_source`.`ordered_at` DESC, `_vfs_source`.`loaded_at` DESC
    ) AS `_vfs_rank`
  FROM `orders` AS `_vfs_source`
  WHERE
    NOT `_vfs_source`.`ordered_at` IS NULL
    AND NOT `_vfs_source`.`customer_id` IS NULL
    AND CASE
      WHEN `_vfs_source`.`loaded_at` > `_vfs_source`.`ordered_at`
      THEN `_vfs_source`.`loaded_at`
      ELSE `_vfs_source`.`ordered_at`
    END >= CAST('2026-09-01 00:00:00' AS TIMESTAMP)
    AND CASE
      WHEN `_vfs_source`.`loaded_at` > `_vfs_source`.`ordered_at`
      THEN `_vfs_source`.`loaded_at`
      ELSE `_vfs_source`.`ordered_at`
    END < CAST('2026-09-30 12:00:00' AS TIMESTAMP)
) AS `_vfs_ranked`
WHERE
  `_vfs_ranked`.`_vfs_rank` = 1;
