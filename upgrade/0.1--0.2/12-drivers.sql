-- Issue 12: a driver is one C file plus its registration (src/driver_list.h),
-- so cases.driver is no longer limited by a CHECK listing the drivers; the
-- driver is checked when a case is registered and when it runs.
ALTER TABLE tasker_bench.cases DROP CONSTRAINT IF EXISTS cases_driver_check;
