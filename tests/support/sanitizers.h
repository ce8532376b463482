// LANTERN_TEST_SANITIZED is defined in AddressSanitizer builds (ci/sanitize.sh),
// for tests whose time or memory bounds must be looser there. GCC defines
// __SANITIZE_ADDRESS__; clang 14 only answers __has_feature.
#pragma once

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define LANTERN_TEST_SANITIZED 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define LANTERN_TEST_SANITIZED 1
#endif
