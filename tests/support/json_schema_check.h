// Validates JSON instances against JSON Schemas with a real validator (the
// Python `jsonschema` package, Debian's python3-jsonschema, installed by
// ci/setup.sh), so tests of constrained output never judge it by our own
// grammar. One process for a whole batch.
#pragma once
#include <cstdio>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace lantern::test {

struct SchemaCase {
  nlohmann::ordered_json schema;
  std::string instance;  // JSON text
};

// For each case: "" when valid, else the validator's message (or "not JSON: ...").
inline std::vector<std::string> validate_with_jsonschema(const std::vector<SchemaCase>& cases,
                                                         const std::string& scratch) {
  nlohmann::ordered_json batch = nlohmann::ordered_json::array();
  for (const auto& c : cases) batch.push_back({{"schema", c.schema}, {"instance", c.instance}});
  const std::string in = scratch + "/schema_cases.json", out = scratch + "/schema_results.json";
  std::ofstream(in) << batch.dump();
  const std::string script =
      "import json,sys,jsonschema\n"
      "cases=json.load(open(sys.argv[1]))\n"
      "res=[]\n"
      "for c in cases:\n"
      "  try:\n"
      "    inst=json.loads(c['instance'])\n"
      "  except Exception as e:\n"
      "    res.append('not JSON: '+str(e)); continue\n"
      "  v=jsonschema.validators.validator_for(c['schema'])(c['schema'], format_checker=jsonschema.FormatChecker())\n"
      "  errs=[e.message for e in v.iter_errors(inst)]\n"
      "  res.append('; '.join(errs))\n"
      "json.dump(res, open(sys.argv[2],'w'))\n";
  std::ofstream(scratch + "/validate.py") << script;
  const std::string cmd = "/usr/bin/python3 " + scratch + "/validate.py " + in + " " + out;
  if (std::system(cmd.c_str()) != 0) throw std::runtime_error("the validator failed: " + cmd);
  std::ifstream f(out);
  return nlohmann::json::parse(f).get<std::vector<std::string>>();
}

}  // namespace lantern::test
