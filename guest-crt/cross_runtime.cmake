# libhlcrt.a for the other architecture (HL_CROSS_GUEST_ARCH), for hlbuild
# --target: the same sources as the host's, compiled with the same flags by
# that architecture's cross compiler (cmake/GuestTargets.cmake). One CMake
# project has one C compiler, so this is custom commands, one an object, each
# with the depfile the compiler writes, then one archive made by the cross
# archiver. Sets HL_CROSS_CRT_LIBRARY to the archive. Included by
# guest-crt/CMakeLists.txt, whose variables it uses.
set(arch ${HL_CROSS_GUEST_ARCH})
set(cross_cc ${HL_GUEST_CC_${arch}})
set(cross_ar ${HL_GUEST_AR_${arch}})
set(cross_dir ${HL_STAGE_TOOLCHAIN}/${HL_TARGET_NAME_${arch}})
set(object_dir ${CMAKE_CURRENT_BINARY_DIR}/hlcrt-${arch})
execute_process(COMMAND ${cross_cc} -print-file-name=include
                OUTPUT_VARIABLE cross_cc_include OUTPUT_STRIP_TRAILING_WHITESPACE)

# As hlcrt's: the guest flags for C (assembly takes none of them), the same
# include directories, this architecture's own under src/.
set(c_flags ${HL_GUEST_CFLAGS} ${HL_GUEST_ARCH_CFLAGS_${arch}} -isystem ${cross_cc_include} ${HL_CRT_EXTRA_CFLAGS})
set(include_flags)
foreach(dir ${CMAKE_CURRENT_SOURCE_DIR}/include ${CMAKE_CURRENT_SOURCE_DIR}/tiny/include
            ${PROJECT_SOURCE_DIR}/libsandbox/include ${CMAKE_CURRENT_SOURCE_DIR}/src
            ${CMAKE_CURRENT_SOURCE_DIR}/src/${arch})
  list(APPEND include_flags -I${dir})
endforeach()

hl_crt_sources(${arch} cross_sources)
set(cross_objects)
foreach(source IN LISTS cross_sources)
  set(object ${object_dir}/${source}.o)
  get_filename_component(object_parent ${object} DIRECTORY)
  file(MAKE_DIRECTORY ${object_parent})
  if(source MATCHES "\\.S$")
    set(flags -g)
  else()
    set(flags ${c_flags})
  endif()
  add_custom_command(OUTPUT ${object}
    COMMAND ${cross_cc} ${flags} ${include_flags} -MD -MF ${object}.d -c ${CMAKE_CURRENT_SOURCE_DIR}/${source}
            -o ${object}
    DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/${source}
    DEPFILE ${object}.d
    COMMENT "Building ${HL_TARGET_NAME_${arch}} guest object ${source}"
    VERBATIM)
  list(APPEND cross_objects ${object})
endforeach()

# Made afresh each time, so that no member of a removed source stays behind.
set(HL_CROSS_CRT_LIBRARY ${cross_dir}/libhlcrt.a)
add_custom_command(OUTPUT ${HL_CROSS_CRT_LIBRARY}
  COMMAND ${CMAKE_COMMAND} -E make_directory ${cross_dir}
  COMMAND ${CMAKE_COMMAND} -E rm -f ${HL_CROSS_CRT_LIBRARY}
  COMMAND ${cross_ar} rcs ${HL_CROSS_CRT_LIBRARY} ${cross_objects}
  DEPENDS ${cross_objects}
  COMMENT "Linking the ${HL_TARGET_NAME_${arch}} guest runtime lib/hl/${HL_TARGET_NAME_${arch}}/libhlcrt.a"
  VERBATIM)
