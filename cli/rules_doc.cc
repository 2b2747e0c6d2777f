// epollcheck_rules_doc: prints docs/rules.md (the model's rule table).
//   build/epollcheck_rules_doc > docs/rules.md

#include <iostream>

#include "properties/rule_stats.h"

int main() {
  std::cout << epollcheck::RulesMarkdown();
  return 0;
}
