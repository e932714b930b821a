# Run at build time (the qeval_git_commit target), not at configure time: writes the commit qeval is built from
# into OUT (a one-line .cpp), "-dirty" when the work tree has changes to tracked files, "unknown" outside git. The
# file is rewritten only when that changes, so an unchanged tree rebuilds nothing.
#   cmake -DSOURCE_DIR=... -DOUT=... -P git_commit.cmake
execute_process(COMMAND git rev-parse --short=12 HEAD WORKING_DIRECTORY ${SOURCE_DIR}
                OUTPUT_VARIABLE commit OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET RESULT_VARIABLE rc)
if(NOT rc EQUAL 0 OR NOT commit)
    set(commit unknown)
else()
    execute_process(COMMAND git update-index -q --refresh WORKING_DIRECTORY ${SOURCE_DIR} OUTPUT_QUIET ERROR_QUIET)
    execute_process(COMMAND git diff-index --quiet HEAD -- WORKING_DIRECTORY ${SOURCE_DIR} RESULT_VARIABLE dirty
                    ERROR_QUIET)
    if(NOT dirty EQUAL 0)
        set(commit "${commit}-dirty")
    endif()
endif()
set(text "// Generated at build time by cmake/git_commit.cmake.\nnamespace qeval {\nextern const char* const kGitCommit;\nconst char* const kGitCommit = \"${commit}\";\n} // namespace qeval\n")
if(EXISTS ${OUT})
    file(READ ${OUT} old)
endif()
if(NOT old STREQUAL text)
    file(WRITE ${OUT} "${text}")
endif()
