/* Exits with the code given as argv[1] (default 0) without printing: the
 * child that spawn-many and the spawn benchmark collect exit statuses from. */
#include "panda.h"

int main(int argc, char **argv)
{
	return argc > 1 ? (int)panda_parse_long(argv[1], 0) : 0;
}
