#include "gguf/byte_source.h"
