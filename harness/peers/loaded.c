/* A shared object for testing Exim's ${dlfunc{file}{function}{arg}...}
   expansion item.  Exim calls a dlfunc function as

     int function(unsigned char **yield, int argc, unsigned char *argv[])

   (exim_dlfunc_t in Exim's local_scan.h); the return code says how the
   expansion goes on, and *yield is the text it substitutes.

   dltest() decides its result by the number of arguments it gets:
     none         ERROR, without setting a yield
     one          OK, yielding that argument unchanged
     two          FAIL_FORCED, yielding "yield FAIL_FORCED"
     three+       FAIL, yielding "yield FAIL"                                */

/* Return codes Exim gives meaning to (values from local_scan.h). */
enum dlfunc_result {
  DLFUNC_OK = 0,
  DLFUNC_DEFER = 1,
  DLFUNC_FAIL = 2,
  DLFUNC_ERROR = 3,
  DLFUNC_FAIL_FORCED = 4
};

int dltest(unsigned char **yield, int argc, unsigned char *argv[]);

int
dltest(unsigned char **yield, int argc, unsigned char *argv[])
{
  static unsigned char forced_text[] = "yield FAIL_FORCED";
  static unsigned char fail_text[] = "yield FAIL";

  if (argc <= 0)
    return DLFUNC_ERROR;
  if (argc == 1) {
    *yield = argv[0];
    return DLFUNC_OK;
  }
  if (argc == 2) {
    *yield = forced_text;
    return DLFUNC_FAIL_FORCED;
  }
  *yield = fail_text;
  return DLFUNC_FAIL;
}
