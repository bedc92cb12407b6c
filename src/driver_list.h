/*
 * driver_list.h
 *		The registered drivers: one line each, TB_DRIVER(name) for the
 *		TbDriver tb_<name>_driver defined in the driver's own C file.
 *		Included with TB_DRIVER defined (driver.h, driver.c).
 */
TB_DRIVER(executor)
TB_DRIVER(notify)
