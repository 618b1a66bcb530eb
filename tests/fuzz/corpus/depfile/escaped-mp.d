build/obj/src/my\ file.c.o: src/my\ file.c include/a$$b.h \
  include/c.h

include/a$$b.h:

include/c.h:
