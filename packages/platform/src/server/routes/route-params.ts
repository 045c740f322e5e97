/** The TypeBox schemas of the parameters every resource's routes take. */
import { Type } from '@sinclair/typebox';

/** The `:id` of a resource's own routes. */
export const IdParams = Type.Object({ id: Type.String() });

/** A query parameter that may be given more than once (`?type=s3&type=gcs`), as Odahu's list filters are. */
export const Repeatable = Type.Optional(Type.Union([Type.String(), Type.Array(Type.String())]));
