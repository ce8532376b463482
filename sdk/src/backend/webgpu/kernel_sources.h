// The WGSL kernels (kernels/*.wgsl), embedded at build time by
// embed_kernels.cmake, by file name without extension.
#pragma once
#include <map>
#include <string>

namespace lantern {

const std::map<std::string, std::string>& kernel_sources();

}  // namespace lantern
