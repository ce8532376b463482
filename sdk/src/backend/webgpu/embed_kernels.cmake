# Writes a C++ file holding every kernels/*.wgsl file as a string, so the
# wasm module carries its shaders. Run as: cmake -DOUT=file.cpp -DDIR=kernels -P embed_kernels.cmake
file(GLOB files ${DIR}/*.wgsl)
list(SORT files)
set(body "// Generated from sdk/src/backend/webgpu/kernels/*.wgsl by embed_kernels.cmake. Do not edit.\n#include \"backend/webgpu/kernel_sources.h\"\n\nnamespace lantern {\n\nconst std::map<std::string, std::string>& kernel_sources() {\n  static const std::map<std::string, std::string> sources = {\n")
foreach(f ${files})
  get_filename_component(name ${f} NAME_WE)
  file(READ ${f} text)
  string(APPEND body "    {\"${name}\", R\"WGSL(${text})WGSL\"},\n")
endforeach()
string(APPEND body "  };\n  return sources;\n}\n\n}  // namespace lantern\n")
file(WRITE ${OUT}.tmp "${body}")
execute_process(COMMAND ${CMAKE_COMMAND} -E copy_if_different ${OUT}.tmp ${OUT})
