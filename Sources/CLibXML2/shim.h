#ifndef DROPMATE_CLIBXML2_SHIM_H
#define DROPMATE_CLIBXML2_SHIM_H
// Debian's libxml2 is built with ICU, whose headers clash with Foundation's ICU module.
// DropMate never needs libxml2's ICU support, so hide it before the parser headers.
#include <libxml/xmlversion.h>
#undef LIBXML_ICU_ENABLED
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>

// xmlFree is a global function-pointer variable, which Swift 6 refuses to touch.
static inline void dm_xml_free(void *p) { xmlFree(p); }

// libxml2's error callbacks are per-thread globals that default to printing on stderr, and the
// generic one is variadic, which Swift cannot implement. These no-ops silence both, for the
// calling thread and (through the xmlThrDef* defaults) for every thread that touches libxml2 later.
static inline void dm_xml_ignore_generic(void *ctx, const char *msg, ...) { (void)ctx; (void)msg; }
static inline void dm_xml_ignore_structured(void *ctx, xmlErrorPtr error) { (void)ctx; (void)error; }
static inline void dm_xml_silence_errors(void) {
    xmlThrDefSetGenericErrorFunc(NULL, dm_xml_ignore_generic);
    xmlThrDefSetStructuredErrorFunc(NULL, dm_xml_ignore_structured);
    xmlSetGenericErrorFunc(NULL, dm_xml_ignore_generic);
    xmlSetStructuredErrorFunc(NULL, dm_xml_ignore_structured);
}
#endif
