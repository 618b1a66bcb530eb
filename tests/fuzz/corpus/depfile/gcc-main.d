/home/ada/app/build/obj/src/main.c.o: /home/ada/app/src/main.c \
  /usr/local/lib/hl/tiny/include/stdio.h \
  /usr/lib/llvm-14/lib/clang/14.0.6/include/stdarg.h \
  /usr/lib/llvm-14/lib/clang/14.0.6/include/stddef.h \
  /usr/lib/llvm-14/lib/clang/14.0.6/include/__stddef_max_align_t.h
