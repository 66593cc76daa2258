# RtloaderPython.cmake: describe a python3 executable and build a backend for it.
#
# FindPython3 describes one interpreter per project; rtloader builds one backend per Python, so
# each interpreter is asked about itself (sysconfig) and the answers become the target's flags.

# rtl_python_info(<exe> <prefix>) sets <prefix>_OK, _VERSION (3.X), _INCLUDE, _LIBRARY, _LIBDIR,
# _HOME (the default home, spelled as upstream spells it: "<stdlib dir>/../..", not normalised, since
# hosts read it back in sys.prefix), _NORMHOME (the same path normalised, for people and the test
# manifest) and _PREFIX (its canonical path, which the loader compares homes with).
function(rtl_python_info exe prefix)
    execute_process(
        COMMAND "${exe}" -c [=[
import os, sys, sysconfig
v = sysconfig.get_config_var
lib = os.path.join(v('LIBDIR') or '', v('LDLIBRARY') or '')
stdlib = sysconfig.get_paths()['stdlib']
home = stdlib + '/../..'
print(';'.join(['%d.%d' % sys.version_info[:2], sysconfig.get_paths()['include'], lib,
                v('LIBDIR') or '', home, os.path.realpath(home), str(v('Py_ENABLE_SHARED') or 0),
                os.path.normpath(home)]))
]=]
        OUTPUT_VARIABLE out RESULT_VARIABLE rc ERROR_QUIET OUTPUT_STRIP_TRAILING_WHITESPACE)
    set(${prefix}_OK FALSE PARENT_SCOPE)
    if(NOT rc EQUAL 0)
        return()
    endif()
    list(GET out 0 ver)
    list(GET out 1 inc)
    list(GET out 2 lib)
    list(GET out 3 libdir)
    list(GET out 4 home)
    list(GET out 5 realhome)
    list(GET out 6 shared)
    list(GET out 7 normhome)
    if(NOT EXISTS "${inc}/Python.h" OR NOT EXISTS "${lib}" OR NOT shared STREQUAL "1")
        return()
    endif()
    if(ver VERSION_LESS 3.8)
        return()
    endif()
    set(${prefix}_OK TRUE PARENT_SCOPE)
    set(${prefix}_VERSION "${ver}" PARENT_SCOPE)
    set(${prefix}_INCLUDE "${inc}" PARENT_SCOPE)
    set(${prefix}_LIBRARY "${lib}" PARENT_SCOPE)
    set(${prefix}_LIBDIR "${libdir}" PARENT_SCOPE)
    set(${prefix}_HOME "${home}" PARENT_SCOPE)
    set(${prefix}_NORMHOME "${normhome}" PARENT_SCOPE)
    set(${prefix}_PREFIX "${realhome}" PARENT_SCOPE)
endfunction()

# rtl_add_backend(<target> <output-name> <info-prefix>) builds one backend shared library.
function(rtl_add_backend target outname p)
    add_library(${target} SHARED ${RTL_BACKEND_SOURCES})
    set_target_properties(${target} PROPERTIES
        OUTPUT_NAME "${outname}"
        PREFIX "lib"
        C_VISIBILITY_PRESET hidden
        BUILD_RPATH "${${p}_LIBDIR}"
        INSTALL_RPATH "${${p}_LIBDIR}")
    target_include_directories(${target} PRIVATE
        "${PROJECT_SOURCE_DIR}/include" "${PROJECT_SOURCE_DIR}/src/common"
        "${PROJECT_SOURCE_DIR}/src/three" "${PROJECT_SOURCE_DIR}/src/three/builtins")
    # The Python headers are system headers: their own warnings are not ours to fix.
    target_include_directories(${target} SYSTEM PRIVATE "${${p}_INCLUDE}")
    target_compile_definitions(${target} PRIVATE
        RTL_PYTHON_VERSION="${${p}_VERSION}" RTL_PYTHON_HOME="${${p}_HOME}")
    # -fno-plt: libpython calls go through the GOT directly, not a PLT stub each; the builtins make
    # several per call. Same source built both ways, rtl_bench --only 123, 3 alternated rounds on
    # the default backend: 1a -0.9 ns, 1c -2.0, 2b -2.4, 2c +1.6, the rest within 0.5 ns.
    target_compile_options(${target} PRIVATE -Werror=deprecated-declarations -fno-plt)
    target_link_libraries(${target} PRIVATE "${${p}_LIBRARY}" Threads::Threads ${CMAKE_DL_LIBS})
    target_link_options(${target} PRIVATE "-Wl,--exclude-libs,ALL" "-Wl,--no-undefined")
    install(TARGETS ${target} LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
endfunction()
