import { Transform } from "class-transformer";

const DECIMAL = /^-?(0|[1-9][0-9]{0,15})$/;

/**
 * A path or query integer as plain decimal digits (`1e3`, `1.0`, `0x10`, ` 7` become NaN, which
 * `@IsInt` refuses); a number already parsed from a JSON body is kept. Replaces
 * `@Type(() => Number)`, which let `Number("1e3")` through as 1000.
 */
export function DecimalInt(): PropertyDecorator {
  return Transform(({ value }) => {
    if (typeof value !== "string") return value;
    return DECIMAL.test(value) ? Number(value) : Number.NaN;
  });
}
