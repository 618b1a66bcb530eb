# The other architecture's runtime (HL_CROSS_GUEST_ARCH), for hlbuild
# --target: libhlcrt.a, and libhlmusl.a where that architecture's musl is
# (cmake/Musl.cmake), from the same sources as the host's, compiled with the
# same flags by that architecture's cross compiler (cmake/GuestTargets.cmake).
# One CMake project has one C compiler, so this is custom commands, one an
# object, each with the depfile the compiler writes, then one archive made by
# the cross archiver. Sets HL_CROSS_RUNTIME_LIBRARIES to the archives.
# Included by guest-crt/CMakeLists.txt, whose variables it uses.
set(arch ${HL_CROSS_GUEST_ARCH})
set(cross_cc ${HL_GUEST_CC_${arch}})
set(cross_ar ${HL_GUEST_AR_${arch}})
set(cross_dir ${HL_STAGE_TOOLCHAIN}/${HL_TARGET_NAME_${arch}})
execute_process(COMMAND ${cross_cc} -print-file-name=include
                OUTPUT_VARIABLE cross_cc_include OUTPUT_STRIP_TRAILING_WHITESPACE)

# hl_cross_archive(NAME SOURCES C_FLAGS INCLUDE_DIRS): lib/hl/TARGET/NAME.a
# from SOURCES (relative to guest-crt/), C with C_FLAGS (assembly takes none
# of them), both with INCLUDE_DIRS; appended to HL_CROSS_RUNTIME_LIBRARIES.
function(hl_cross_archive name sources c_flags include_dirs)
  set(object_dir ${CMAKE_CURRENT_BINARY_DIR}/${name}-${arch})
  set(include_flags)
  foreach(dir IN LISTS include_dirs)
    list(APPEND include_flags -I${dir})
  endforeach()
  set(objects)
  foreach(source IN LISTS sources)
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
      COMMENT "Building ${HL_TARGET_NAME_${arch}} guest object ${source} (${name})"
      VERBATIM)
    list(APPEND objects ${object})
  endforeach()
  # Made afresh each time, so that no member of a removed source stays behind.
  set(library ${cross_dir}/${name}.a)
  add_custom_command(OUTPUT ${library}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${cross_dir}
    COMMAND ${CMAKE_COMMAND} -E rm -f ${library}
    COMMAND ${cross_ar} rcs ${library} ${objects}
    DEPENDS ${objects}
    COMMENT "Linking the ${HL_TARGET_NAME_${arch}} guest runtime lib/hl/${HL_TARGET_NAME_${arch}}/${name}.a"
    VERBATIM)
  set(HL_CROSS_RUNTIME_LIBRARIES ${HL_CROSS_RUNTIME_LIBRARIES} ${library} PARENT_SCOPE)
endfunction()

set(HL_CROSS_RUNTIME_LIBRARIES)
# As hlcrt's and hlmusl's: the guest flags, the same include directories, this architecture's own under src/.
set(layer_include_dirs ${CMAKE_CURRENT_SOURCE_DIR}/include ${PROJECT_SOURCE_DIR}/libsandbox/include
    ${CMAKE_CURRENT_SOURCE_DIR}/src ${CMAKE_CURRENT_SOURCE_DIR}/src/${arch})
hl_crt_sources(${arch} cross_sources)
hl_cross_archive(libhlcrt "${cross_sources}"
  "${HL_GUEST_CFLAGS};${HL_GUEST_ARCH_CFLAGS_${arch}};-isystem;${cross_cc_include};${HL_CRT_EXTRA_CFLAGS}"
  "${layer_include_dirs};${CMAKE_CURRENT_SOURCE_DIR}/tiny/include")
if(HL_MUSL_CROSS_FOUND)
  hl_musl_sources(${arch} cross_musl_sources)
  hl_cross_archive(libhlmusl "${cross_musl_sources}"
    "${HL_GUEST_CFLAGS};${HL_GUEST_ARCH_CFLAGS_${arch}};-isystem;${HL_MUSL_CROSS_INCLUDE_DIR};-isystem;${cross_cc_include};${HL_CRT_EXTRA_CFLAGS}"
    "${layer_include_dirs}")
endif()
