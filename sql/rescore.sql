-- Per-class TP, FP, FN, precision, recall, F1 and AP at any IoU threshold, from the object table that
-- `detection-eval export` writes (one row per prediction and per label; README "Re-scoring in SQL").
--
-- Inputs: a relation `objects` (the exported table) and a relation `thresholds` with one DOUBLE column
-- `t` (one or more IoU thresholds in (0, 1]); the result has one row per threshold and per class.
-- ANSI SQL with window functions only: runs unchanged on DuckDB, Spark SQL and Trino.
--
-- The rules are analysis mode's (bindings/analysis/analysis.ts), so the numbers are `analyze`'s:
--   a prediction is a TP at t iff its candidate is a label of its own class and iou >= t AND dup < t;
--   otherwise it is ignored (a crowd region) iff crowd_iou >= t, else an FP;
--   FN = non-crowd labels of the class - TP (a label has at most one TP: the first of its group);
--   a class is listed when it has a non-crowd label or a counted (TP or FP) prediction;
--   AP: COCO's 101-point interpolation over the counted predictions in `rank` order (score desc, then
--   candidate IoU desc, then input order): at each recall threshold r, the largest precision at a
--   recall >= r (0 when no point reaches r), summed over the 101 thresholds and divided by 101.
-- The recall grid below is numpy's linspace(0, 1, 101) as doubles (i * 0.01), written exactly.
WITH
ious AS (
  -- a threshold listed twice is scored once
  SELECT DISTINCT CAST(t AS DOUBLE) AS t FROM thresholds
),
recall_grid AS (
  SELECT CAST(g.r AS DOUBLE) AS r
  FROM (
    VALUES
      (0E0), (1E-2), (2E-2), (3E-2), (4E-2), (5E-2),
      (6E-2), (7E-2), (8E-2), (9E-2), (1E-1), (1.1E-1),
      (1.2E-1), (1.3E-1), (1.4E-1), (1.5E-1), (1.6E-1), (1.7E-1),
      (1.8E-1), (1.9E-1), (2E-1), (2.1E-1), (2.2E-1), (2.3E-1),
      (2.4E-1), (2.5E-1), (2.6E-1), (2.7E-1), (2.8E-1), (2.9E-1),
      (3E-1), (3.1E-1), (3.2E-1), (3.3E-1), (3.4E-1), (3.5000000000000003E-1),
      (3.6E-1), (3.7E-1), (3.8E-1), (3.9E-1), (4E-1), (4.1000000000000003E-1),
      (4.2E-1), (4.3E-1), (4.4E-1), (4.5E-1), (4.6E-1), (4.7000000000000003E-1),
      (4.8E-1), (4.9E-1), (5E-1), (5.1E-1), (5.2E-1), (5.3E-1),
      (5.4E-1), (5.5E-1), (5.6E-1), (5.700000000000001E-1), (5.8E-1), (5.9E-1),
      (6E-1), (6.1E-1), (6.2E-1), (6.3E-1), (6.4E-1), (6.5E-1),
      (6.6E-1), (6.7E-1), (6.8E-1), (6.900000000000001E-1), (7.000000000000001E-1), (7.1E-1),
      (7.2E-1), (7.3E-1), (7.4E-1), (7.5E-1), (7.6E-1), (7.7E-1),
      (7.8E-1), (7.9E-1), (8E-1), (8.1E-1), (8.200000000000001E-1), (8.300000000000001E-1),
      (8.4E-1), (8.5E-1), (8.6E-1), (8.7E-1), (8.8E-1), (8.9E-1),
      (9E-1), (9.1E-1), (9.2E-1), (9.3E-1), (9.400000000000001E-1), (9.500000000000001E-1),
      (9.6E-1), (9.7E-1), (9.8E-1), (9.9E-1), (1E0)
  ) AS g (r)
),
scored AS (
  SELECT
    th.t,
    o.category_id,
    o.rank,
    CASE
      WHEN o.candidate_category_id = o.category_id AND o.iou >= th.t AND o.dup < th.t THEN 'TP'
      WHEN o.crowd_iou >= th.t THEN 'ignored'
      ELSE 'FP'
    END AS status
  FROM objects o
  CROSS JOIN ious th
  WHERE o.kind = 'prediction'
),
label_counts AS (
  SELECT category_id, COUNT(*) AS labels
  FROM objects
  WHERE kind = 'label' AND NOT crowd
  GROUP BY category_id
),
counted AS (
  SELECT
    t,
    category_id,
    rank,
    CASE WHEN status = 'TP' THEN 1 ELSE 0 END AS tp,
    SUM(CASE WHEN status = 'TP' THEN 1 ELSE 0 END)
      OVER (PARTITION BY t, category_id ORDER BY rank ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS cum_tp,
    SUM(CASE WHEN status = 'FP' THEN 1 ELSE 0 END)
      OVER (PARTITION BY t, category_id ORDER BY rank ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS cum_fp
  FROM scored
  WHERE status <> 'ignored'
),
class_counts AS (
  SELECT
    t,
    category_id,
    SUM(CASE WHEN status = 'TP' THEN 1 ELSE 0 END) AS tp,
    SUM(CASE WHEN status = 'FP' THEN 1 ELSE 0 END) AS fp,
    SUM(CASE WHEN status = 'ignored' THEN 1 ELSE 0 END) AS ignored
  FROM scored
  GROUP BY t, category_id
),
points AS (
  SELECT
    c.t,
    c.category_id,
    c.rank,
    CAST(c.cum_tp AS DOUBLE) / (c.cum_tp + c.cum_fp) AS point_precision,
    CAST(c.cum_tp AS DOUBLE) / l.labels AS point_recall
  FROM counted c
  JOIN label_counts l ON l.category_id = c.category_id
),
envelope AS (
  SELECT
    t,
    category_id,
    point_recall,
    MAX(point_precision)
      OVER (PARTITION BY t, category_id ORDER BY rank ROWS BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING) AS envelope,
    LAG(point_recall, 1, CAST(-1 AS DOUBLE)) OVER (PARTITION BY t, category_id ORDER BY rank) AS previous_recall
  FROM points
),
class_ap AS (
  -- each recall threshold r is answered by the first point whose recall reaches it
  SELECT e.t, e.category_id, SUM(e.envelope) / 101 AS ap
  FROM envelope e
  JOIN recall_grid g ON g.r > e.previous_recall AND g.r <= e.point_recall
  GROUP BY e.t, e.category_id
),
categories AS (
  SELECT category_id, MIN(category_name) AS category_name
  FROM objects
  GROUP BY category_id
),
per_class AS (
  SELECT
    th.t,
    k.category_id,
    k.category_name,
    COALESCE(c.tp, 0) AS tp,
    COALESCE(c.fp, 0) AS fp,
    COALESCE(l.labels, 0) - COALESCE(c.tp, 0) AS fn,
    COALESCE(c.ignored, 0) AS ignored,
    COALESCE(l.labels, 0) AS labels,
    COALESCE(a.ap, 0) AS ap
  FROM categories k
  CROSS JOIN ious th
  LEFT JOIN class_counts c ON c.t = th.t AND c.category_id = k.category_id
  LEFT JOIN label_counts l ON l.category_id = k.category_id
  LEFT JOIN class_ap a ON a.t = th.t AND a.category_id = k.category_id
  WHERE COALESCE(l.labels, 0) > 0 OR COALESCE(c.tp, 0) + COALESCE(c.fp, 0) > 0
),
rates AS (
  SELECT
    per_class.*,
    CASE WHEN tp + fp > 0 THEN CAST(tp AS DOUBLE) / (tp + fp) ELSE 0 END AS precision,
    CASE WHEN labels > 0 THEN CAST(tp AS DOUBLE) / labels ELSE 0 END AS recall
  FROM per_class
)
SELECT
  t AS iou_threshold,
  category_id,
  category_name,
  tp,
  fp,
  fn,
  ignored,
  labels,
  precision,
  recall,
  CASE WHEN precision + recall > 0 THEN 2 * precision * recall / (precision + recall) ELSE 0 END AS f1,
  ap
FROM rates
ORDER BY iou_threshold, category_id
