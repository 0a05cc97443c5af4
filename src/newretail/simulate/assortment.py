"""The demo brands' assortments: category trees, product lines and their variants.

Plain data, the same for every seed; the catalog step draws prices, offers and stock
around it from the seed. Prices are list prices in whole yuan; each variant may carry its
own (a 50 ml bottle costs more than a 30 ml one).
"""

from collections.abc import Sequence
from dataclasses import dataclass

Attributes = tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class CategoryPlan:
    code: str
    name: str
    parent: str | None = None


@dataclass(frozen=True)
class VariantPlan:
    code: str
    attributes: Attributes
    price_yuan: int


@dataclass(frozen=True)
class ProductPlan:
    category: str
    title: str
    description: str
    variants: tuple[VariantPlan, ...]
    specs: Attributes = ()


@dataclass(frozen=True)
class AssortmentPlan:
    brand_code: str
    sku_prefix: str
    barcode_prefix: str  # seven digits: the GS1 country prefix and the company number
    categories: tuple[CategoryPlan, ...]
    products: tuple[ProductPlan, ...]

    @property
    def sku_count(self) -> int:
        return sum(len(product.variants) for product in self.products)


# ---- variant builders -----------------------------------------------------------------

COLOURS = {
    "BK": "曜石黑",
    "WH": "云雾白",
    "RD": "烈焰红",
    "NV": "深海蓝",
    "GN": "荧光绿",
    "GY": "燕麦灰",
    "PK": "樱花粉",
    "KH": "沙丘卡其",
}
SHOE_SIZES = ("39", "40", "41", "42", "43", "44")
WOMEN_SHOE_SIZES = ("35", "36", "37", "38", "39")
CLOTHING_SIZES = ("S", "M", "L", "XL", "XXL")


# Variant codes go into SKU codes, which are ASCII.
_CODE_PARTS = {"均码": "OS", "片": "P"}


def _code_part(text: str) -> str:
    for word, code in _CODE_PARTS.items():
        text = text.replace(word, code)
    return text.upper()


def sized(colours: str, sizes: Sequence[str], price: int) -> tuple[VariantPlan, ...]:
    """Every colour (codes separated by spaces) in every size, one price."""
    return tuple(
        VariantPlan(
            f"{colour}-{_code_part(size)}", (("colour", COLOURS[colour]), ("size", size)), price
        )
        for colour in colours.split()
        for size in sizes
    )


def shades(names: Sequence[str], price: int) -> tuple[VariantPlan, ...]:
    """One variant per shade; a shade is "number name", e.g. "101 枫叶红"."""
    return tuple(VariantPlan(name.split()[0], (("shade", "#" + name),), price) for name in names)


def volumes(*sizes: tuple[str, int]) -> tuple[VariantPlan, ...]:
    return tuple(
        VariantPlan(_code_part(volume), (("volume", volume),), price) for volume, price in sizes
    )


def _product(
    category: str, title: str, description: str, variants: tuple[VariantPlan, ...], **specs: str
) -> ProductPlan:
    return ProductPlan(category, title, description, variants, tuple(specs.items()))


# ---- 跃动体育: sportswear ---------------------------------------------------------------

_RUN = "轻量透气网面，回弹中底，日常训练与路跑皆宜。"
_COURT = "包裹稳定的鞋面与耐磨橡胶外底，适合室内外球场。"
_TRAIN = "吸湿速干面料，四向弹力，训练时保持干爽。"

SPORTSWEAR = AssortmentPlan(
    brand_code="YUEDONG",
    sku_prefix="YD",
    barcode_prefix="6923456",
    categories=(
        CategoryPlan("FOOTWEAR", "鞋履"),
        CategoryPlan("RUN", "跑步鞋", "FOOTWEAR"),
        CategoryPlan("COURT", "篮球鞋", "FOOTWEAR"),
        CategoryPlan("CASUAL", "休闲鞋", "FOOTWEAR"),
        CategoryPlan("APPAREL", "服装"),
        CategoryPlan("TEE", "短袖T恤", "APPAREL"),
        CategoryPlan("HOODIE", "卫衣", "APPAREL"),
        CategoryPlan("PANTS", "运动裤", "APPAREL"),
        CategoryPlan("JACKET", "外套", "APPAREL"),
        CategoryPlan("GEAR", "配件"),
        CategoryPlan("SOCKS", "运动袜", "GEAR"),
        CategoryPlan("BAG", "箱包", "GEAR"),
        CategoryPlan("CAP", "帽子", "GEAR"),
    ),
    products=(
        _product(
            "RUN", "疾风 3 男子竞速跑鞋", _RUN, sized("BK WH RD", SHOE_SIZES, 899), series="疾风"
        ),
        _product(
            "RUN", "疾风 3 女子竞速跑鞋", _RUN, sized("WH PK", WOMEN_SHOE_SIZES, 899), series="疾风"
        ),
        _product("RUN", "云跃 缓震跑鞋", _RUN, sized("BK GY NV", SHOE_SIZES, 699), series="云跃"),
        _product("RUN", "云跃 Pro 碳板跑鞋", _RUN, sized("WH GN", SHOE_SIZES, 1299), series="云跃"),
        _product("RUN", "逐日 入门跑鞋", _RUN, sized("BK NV", SHOE_SIZES, 399), series="逐日"),
        _product(
            "RUN", "越野者 GTX 防水越野跑鞋", _RUN, sized("KH BK", SHOE_SIZES, 999), series="越野者"
        ),
        _product(
            "COURT", "破风 7 实战篮球鞋", _COURT, sized("BK RD WH", SHOE_SIZES, 799), series="破风"
        ),
        _product(
            "COURT", "破风 7 低帮篮球鞋", _COURT, sized("WH NV", SHOE_SIZES, 759), series="破风"
        ),
        _product("COURT", "街头之王 外场篮球鞋", _COURT, sized("BK GY", SHOE_SIZES, 599)),
        _product(
            "CASUAL",
            "城市漫步 复古板鞋",
            "经典低帮轮廓，百搭通勤。",
            sized("WH BK", SHOE_SIZES, 459),
        ),
        _product(
            "CASUAL", "轻风 帆布鞋", "透气帆布鞋面，轻便舒适。", sized("WH KH", SHOE_SIZES, 299)
        ),
        _product(
            "CASUAL", "经典 1986 老爹鞋", "厚底增高，复古配色。", sized("GY WH", SHOE_SIZES, 559)
        ),
        _product("TEE", "速干 运动短袖T恤", _TRAIN, sized("BK WH NV", CLOTHING_SIZES, 159)),
        _product("TEE", "冰感 训练T恤", _TRAIN, sized("GY GN", CLOTHING_SIZES, 199)),
        _product(
            "TEE",
            "纯棉 经典LOGO短袖",
            "精梳棉，经典胸前LOGO。",
            sized("WH BK RD", CLOTHING_SIZES, 129),
        ),
        _product("TEE", "女子 修身瑜伽上衣", _TRAIN, sized("PK BK", ("XS", "S", "M", "L"), 219)),
        _product(
            "HOODIE",
            "经典连帽卫衣",
            "加厚毛圈布，宽松版型。",
            sized("GY BK NV", CLOTHING_SIZES, 399),
        ),
        _product(
            "HOODIE", "加绒 圆领卫衣", "内里加绒，秋冬保暖。", sized("KH BK", CLOTHING_SIZES, 359)
        ),
        _product(
            "PANTS",
            "针织 束脚运动长裤",
            "弹力针织，束脚设计。",
            sized("BK GY", CLOTHING_SIZES, 299),
        ),
        _product("PANTS", "速干 跑步短裤", _TRAIN, sized("BK NV", CLOTHING_SIZES, 169)),
        _product("PANTS", "女子 高腰瑜伽裤", _TRAIN, sized("BK PK", ("XS", "S", "M", "L"), 329)),
        _product(
            "JACKET",
            "防风 梭织夹克",
            "防泼水面料，可收纳连帽。",
            sized("BK NV", CLOTHING_SIZES, 499),
        ),
        _product(
            "JACKET",
            "轻量 鹅绒羽绒服",
            "90% 白鹅绒，轻暖可收纳。",
            sized("BK RD", CLOTHING_SIZES, 899),
        ),
        _product(
            "SOCKS", "专业跑步袜 三双装", "足弓支撑，防磨加厚。", sized("WH BK", ("M", "L"), 79)
        ),
        _product("BAG", "双肩运动背包 25L", "独立鞋仓，防泼水。", sized("BK GY", ("均码",), 299)),
        _product("BAG", "健身手提包", "干湿分离，大容量。", sized("BK", ("均码",), 199)),
        _product("CAP", "速干鸭舌帽", "可调节后扣，透气网眼。", sized("BK WH NV", ("均码",), 99)),
    ),
)

# ---- 花见美妆: beauty -------------------------------------------------------------------

_LIP_SHADES = (
    "101 枫叶红",
    "102 豆沙玫瑰",
    "103 奶茶棕",
    "104 正红",
    "105 珊瑚橘",
    "106 烂番茄",
    "107 蜜桃粉",
    "108 肉桂奶茶",
    "109 复古酒红",
    "110 樱桃红",
    "111 裸杏色",
    "112 浆果紫",
)
_BASE_SHADES = (
    "00 瓷白",
    "01 象牙白",
    "02 自然色",
    "03 暖米色",
    "04 小麦色",
    "05 蜜糖色",
    "06 浅驼色",
    "07 深蜜色",
)
_PALETTES = ("01 玫瑰庄园", "02 落日大道", "03 大地奶茶", "04 桃花坞", "05 星河", "06 琥珀")
_EYE_SHADE_NAMES = "香槟金 玫瑰金 焦糖 可可 砖红 酒红 樱粉 雾紫 橄榄 古铜 珍珠白 曜黑"
_EYE_SHADES = tuple(f"{n:02d} {name}" for n, name in enumerate(_EYE_SHADE_NAMES.split(), 1))
_CHEEK_SHADES = (
    "01 蜜桃",
    "02 杏子",
    "03 玫瑰",
    "04 珊瑚",
    "05 奶咖",
    "06 樱花",
    "07 晚霞",
    "08 可可",
)
_MAKEUP = "细腻贴肤，持久不脱妆。"
_SKIN = "温和配方，适合所有肤质。"
_SCENT = "木质花香调，留香持久。"

BEAUTY = AssortmentPlan(
    brand_code="HUAJIAN",
    sku_prefix="HJ",
    barcode_prefix="6937812",
    categories=(
        CategoryPlan("MAKEUP", "彩妆"),
        CategoryPlan("LIP", "唇部彩妆", "MAKEUP"),
        CategoryPlan("BASE", "底妆", "MAKEUP"),
        CategoryPlan("EYE", "眼部彩妆", "MAKEUP"),
        CategoryPlan("CHEEK", "腮红修容", "MAKEUP"),
        CategoryPlan("SKINCARE", "护肤"),
        CategoryPlan("SERUM", "精华", "SKINCARE"),
        CategoryPlan("CREAM", "面霜", "SKINCARE"),
        CategoryPlan("TONER", "水乳", "SKINCARE"),
        CategoryPlan("MASK", "面膜", "SKINCARE"),
        CategoryPlan("SUN", "防晒", "SKINCARE"),
        CategoryPlan("FRAGRANCE", "香氛"),
        CategoryPlan("PERFUME", "香水", "FRAGRANCE"),
    ),
    products=(
        _product("LIP", "丝绒雾面口红", _MAKEUP, shades(_LIP_SHADES, 229), finish="雾面"),
        _product("LIP", "缎光滋润口红", _MAKEUP, shades(_LIP_SHADES, 239), finish="缎光"),
        _product("LIP", "水光镜面唇釉", _MAKEUP, shades(_LIP_SHADES[:10], 189), finish="镜面"),
        _product("LIP", "哑光空气唇泥", _MAKEUP, shades(_LIP_SHADES[:8], 179), finish="哑光"),
        _product("LIP", "润色修护唇膏", _MAKEUP, shades(_LIP_SHADES[:6], 129)),
        _product("LIP", "小金管 柔润口红", _MAKEUP, shades(_LIP_SHADES, 299), finish="柔润"),
        _product("LIP", "花漾限定 唇颊两用霜", _MAKEUP, shades(_LIP_SHADES[:8], 159)),
        _product("BASE", "持妆轻透粉底液 30ml", _MAKEUP, shades(_BASE_SHADES, 399)),
        _product("BASE", "养肤精华粉底液 30ml", _MAKEUP, shades(_BASE_SHADES, 459)),
        _product("BASE", "柔焦水润气垫", _MAKEUP, shades(_BASE_SHADES[:6], 329)),
        _product("BASE", "无瑕遮瑕膏", _MAKEUP, shades(_BASE_SHADES[:5], 199)),
        _product("BASE", "控油定妆蜜粉", _MAKEUP, shades(("01 透明", "02 自然", "03 提亮"), 259)),
        _product("EYE", "九色眼影盘", _MAKEUP, shades(_PALETTES, 399)),
        _product("EYE", "四色小眼影盘", _MAKEUP, shades(_PALETTES, 229)),
        _product("EYE", "丝缎单色眼影", _MAKEUP, shades(_EYE_SHADES, 129)),
        _product(
            "EYE",
            "防水极细眼线笔",
            _MAKEUP,
            shades(("01 黑色", "02 深棕", "03 酒红", "04 灰褐"), 119),
        ),
        _product("EYE", "纤长浓密睫毛膏", _MAKEUP, shades(("01 黑色", "02 棕色", "03 深蓝"), 169)),
        _product(
            "EYE",
            "自然持久眉笔",
            _MAKEUP,
            shades(("01 浅棕", "02 灰棕", "03 深棕", "04 黑灰", "05 奶茶"), 99),
        ),
        _product("CHEEK", "柔雾腮红", _MAKEUP, shades(_CHEEK_SHADES, 199)),
        _product(
            "CHEEK", "流光高光", _MAKEUP, shades(("01 香槟", "02 月光", "03 玫瑰", "04 蜜金"), 229)
        ),
        _product("CHEEK", "立体修容盘", _MAKEUP, shades(("01 冷调", "02 暖调", "03 自然"), 219)),
        _product("SERUM", "焕颜修护精华", _SKIN, volumes(("30ml", 599), ("50ml", 899))),
        _product("SERUM", "玻尿酸保湿精华", _SKIN, volumes(("30ml", 399), ("50ml", 599))),
        _product("SERUM", "维C亮白精华", _SKIN, volumes(("15ml", 259), ("30ml", 459))),
        _product(
            "SERUM",
            "眼部紧致精华",
            _SKIN,
            volumes(
                ("15ml", 499),
            ),
        ),
        _product("CREAM", "臻养紧致面霜", _SKIN, volumes(("30g", 599), ("50g", 899))),
        _product(
            "CREAM",
            "舒缓修护面霜",
            _SKIN,
            volumes(
                ("50g", 459),
            ),
        ),
        _product("CREAM", "水润保湿啫喱霜", _SKIN, volumes(("50g", 329), ("100g", 529))),
        _product("TONER", "清润保湿爽肤水", _SKIN, volumes(("150ml", 229), ("300ml", 399))),
        _product("TONER", "平衡清爽乳液", _SKIN, volumes(("100ml", 259), ("200ml", 429))),
        _product(
            "TONER",
            "焕亮精粹水",
            _SKIN,
            volumes(
                ("150ml", 369),
            ),
        ),
        _product("MASK", "玻尿酸补水面膜", _SKIN, volumes(("5片", 129), ("10片", 229))),
        _product(
            "MASK",
            "清洁泥膜",
            _SKIN,
            volumes(
                ("100g", 199),
            ),
        ),
        _product(
            "MASK",
            "睡眠修护面膜",
            _SKIN,
            volumes(
                ("80ml", 259),
            ),
        ),
        _product("SUN", "轻薄防晒乳 SPF50+", _SKIN, volumes(("40ml", 229), ("80ml", 359))),
        _product(
            "SUN",
            "素颜防晒霜 SPF35",
            _SKIN,
            volumes(
                ("50ml", 199),
            ),
        ),
        _product(
            "PERFUME",
            "晨露花园 淡香水",
            _SCENT,
            volumes(("30ml", 499), ("50ml", 799), ("100ml", 1199)),
        ),
        _product(
            "PERFUME",
            "白茶与无花果 淡香水",
            _SCENT,
            volumes(("30ml", 499), ("50ml", 799), ("100ml", 1199)),
        ),
        _product(
            "PERFUME",
            "夜幕玫瑰 香水",
            _SCENT,
            volumes(("30ml", 599), ("50ml", 899), ("100ml", 1399)),
        ),
        _product("PERFUME", "海盐鼠尾草 古龙水", _SCENT, volumes(("30ml", 459), ("100ml", 1099))),
        _product("PERFUME", "小苍兰与梨 淡香水", _SCENT, volumes(("30ml", 459), ("50ml", 699))),
        _product(
            "PERFUME",
            "旅行香氛礼盒 5x10ml",
            _SCENT,
            volumes(
                ("5x10ml", 699),
            ),
        ),
    ),
)

ASSORTMENTS = {plan.brand_code: plan for plan in (SPORTSWEAR, BEAUTY)}
