// Reading and writing MQTT 5.0 property lists (internal to the codec). See properties.h.
#pragma once

#include <cstddef>

#include "mqtt/properties.h"
#include "mqtt/wire.h"

namespace tern::mqtt {

// Reads a property list, its Property Length first, as found in `scope` of a packet sent by
// `sender`. Errors are recorded in `reader`.
Properties read_properties(wire::Reader& reader, PropertyScope scope, Sender sender);

// Writes the Property Length and the properties that are set.
void write_properties(wire::SizeCounter& writer, const Properties& properties);
void write_properties(wire::ByteWriter& writer, const Properties& properties);
// The same with a receiver's overrides (PublishPropertyOverrides) in place of their fields.
void write_properties(wire::SizeCounter& writer, const Properties& properties,
                      const PublishPropertyOverrides& overrides);
void write_properties(wire::ByteWriter& writer, const Properties& properties,
                      const PublishPropertyOverrides& overrides);

}  // namespace tern::mqtt
